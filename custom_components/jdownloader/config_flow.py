"""Config flow for JDownloader: a MyJDownloader account or a local JDownloader."""

from __future__ import annotations

from collections.abc import Mapping
import contextlib
import ipaddress
import re
from typing import Any

# HA 2026.10 annotates schemas as probatio (which accepts these at run time): the
# `type: ignore[arg-type, unused-ignore]` where a schema is handed to HA.
import voluptuous as vol

from homeassistant.config_entries import (
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import CONF_EMAIL, CONF_HOST, CONF_PASSWORD, CONF_PORT
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import section
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .api import (
    DEFAULT_API_URL,
    DEFAULT_LOCAL_PORT,
    DeviceIdentity,
    JDownloaderApiError,
    JDownloaderAuthError,
    JDownloaderConnectionError,
    JDownloaderEmailNotConfirmedError,
    JDownloaderError,
    JDownloaderProtocolError,
    JDownloaderRateLimitError,
    LocalJDownloader,
    MyJDownloaderClient,
    Secrets,
)
from .const import (
    CONF_ADVANCED,
    CONF_API_URL,
    CONF_DEVICE_ID,
    CONF_DEVICE_SECRET,
    CONF_DIRECT_CONNECTION,
    CONF_LOGIN_SECRET,
    CONF_MODE,
    DEFAULT_DIRECT_CONNECTION,
    DOMAIN,
    LOCAL_FLOW_TIMEOUT,
    LOGGER,
    MODE_CLOUD,
    MODE_LOCAL,
    is_local_address,
    local_address,
)
from .data import JDownloaderConfigEntry
from .entries import async_account_serves

_EMAIL = TextSelector(TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username"))
_PASSWORD = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
_PORT = vol.All(
    NumberSelector(NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX)),
    vol.Coerce(int),
)

CLOUD_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_EMAIL): _EMAIL,
        vol.Required(CONF_PASSWORD): _PASSWORD,
        vol.Required(CONF_ADVANCED): section(
            vol.Schema({vol.Required(CONF_API_URL, default=DEFAULT_API_URL): _URL}),  # type: ignore[arg-type, unused-ignore]
            {"collapsed": True},
        ),
    }
)
LOCAL_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_HOST): TextSelector(),
        vol.Required(CONF_PORT, default=DEFAULT_LOCAL_PORT): _PORT,
    }
)
REAUTH_SCHEMA = vol.Schema({vol.Required(CONF_PASSWORD): _PASSWORD})
# Reconfigure: the password only when it changes (or the e-mail does): the stored secrets log in.
RECONFIGURE_CLOUD_SCHEMA = CLOUD_SCHEMA.extend({vol.Optional(CONF_PASSWORD): _PASSWORD})


async def _validate_cloud(
    hass: HomeAssistant, email: str, password: str, api_url: str
) -> dict[str, str]:
    """Log in and list devices; return the derived secrets (hex), stored instead of the password."""
    return await _validate_secrets(hass, email, Secrets.from_password(email, password), api_url)


async def _validate_secrets(
    hass: HomeAssistant, email: str, secrets: Secrets, api_url: str
) -> dict[str, str]:
    """Log in with ``secrets`` and list devices; return them (hex) for the entry."""
    client = MyJDownloaderClient(
        async_get_clientsession(hass), email, secrets, api_url=api_url, direct_connection=False
    )
    await client.connect()
    try:
        await client.list_devices()
    finally:
        # The entry logs in again; don't leave a second session lying around.
        with contextlib.suppress(JDownloaderError):
            await client.disconnect()
    return secrets.to_hex()


def _cloud_error(err: Exception) -> str:
    """Map a login failure to a config-flow error key."""
    if isinstance(err, JDownloaderEmailNotConfirmedError):
        return "email_not_confirmed"
    if isinstance(err, JDownloaderAuthError):
        return "invalid_auth"
    if isinstance(err, JDownloaderRateLimitError):
        return "rate_limited"
    if isinstance(err, JDownloaderError):
        return "cannot_connect"
    LOGGER.exception("Unexpected error while logging in to MyJDownloader")
    return "unknown"


# One DNS label (RFC 1123; "_" too, as some LAN names have it and resolvers accept it).
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")


def _normalize_host(text: str) -> str | None:
    """The host as the client needs it (IPv6 without brackets), or None if it cannot be one.

    Catches what users paste before anything is sent: a URL (``http://...``), a path, a port
    in the host field, spaces, or an IPv4 address with a typo (``192.168.1.300``).
    """
    host = text.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    name = host.removesuffix(".")
    labels = name.split(".")
    if not name or len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    if all(label.isdigit() for label in labels):
        return None  # digits and dots only, but not a valid IPv4 address
    return host


async def _read_local_identity(hass: HomeAssistant, host: str, port: int) -> DeviceIdentity:
    """Ping a JDownloader's local API, then read its name and MyJDownloader id."""
    device = LocalJDownloader(async_get_clientsession(hass), host, port, timeout=LOCAL_FLOW_TIMEOUT)
    if not await device.ping():
        raise JDownloaderProtocolError("/device/ping did not answer true")
    try:
        return await device.device_identity()
    except JDownloaderApiError as err:
        # It answers its ping, so it is JDownloader; one that will not tell is keyed by address.
        LOGGER.debug("JDownloader at %s:%s did not tell its name and id: %s", host, port, err)
        return DeviceIdentity()


def _local_error(err: Exception, host: str, port: int) -> str:
    """Map a failure to reach a local JDownloader to a config-flow error key.

    The cause goes to the debug log (a local API has no secrets; messages never carry URLs).
    """
    address = local_address(host, port)
    if isinstance(err, JDownloaderConnectionError):
        LOGGER.debug("No connection to JDownloader's local API at %s: %s", address, err)
        # The client names aiohttp's exception, e.g. ClientConnectorDNSError.
        return "unknown_host" if "DNSError" in str(err) else "unreachable"
    if isinstance(err, JDownloaderError):
        LOGGER.debug(
            "%s answered, but not as JDownloader's local API: %s: %s",
            address,
            type(err).__name__,
            err,
        )
        return "not_jdownloader"
    LOGGER.exception("Unexpected error while contacting JDownloader at %s", address)
    return "unknown"


class JDownloaderConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a MyJDownloader account or a JDownloader's local API."""

    VERSION = 1
    MINOR_VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: JDownloaderConfigEntry) -> OptionsFlow:
        """Options exist for MyJDownloader accounts only."""
        return JDownloaderOptionsFlow()

    @classmethod
    @callback
    def async_supports_options_flow(cls, config_entry: JDownloaderConfigEntry) -> bool:
        """Local entries have nothing to configure."""
        return bool(config_entry.data.get(CONF_MODE) == MODE_CLOUD)

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Let the user pick a MyJDownloader account or a local JDownloader."""
        return self.async_show_menu(step_id="user", menu_options=[MODE_CLOUD, MODE_LOCAL])

    async def async_step_cloud(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Log in to a MyJDownloader account."""
        errors: dict[str, str] = {}
        if user_input is not None:
            email = user_input[CONF_EMAIL].strip()
            api_url = user_input[CONF_ADVANCED][CONF_API_URL].strip().rstrip("/")
            await self.async_set_unique_id(email.lower())
            self._abort_if_unique_id_configured()
            try:
                secrets = await _validate_cloud(
                    self.hass, email, user_input[CONF_PASSWORD], api_url
                )
            except Exception as err:  # noqa: BLE001 - becomes a flow error
                errors["base"] = _cloud_error(err)
            else:
                return self.async_create_entry(
                    title=email,
                    data={CONF_MODE: MODE_CLOUD, CONF_EMAIL: email, CONF_API_URL: api_url}
                    | secrets,
                    options={CONF_DIRECT_CONNECTION: DEFAULT_DIRECT_CONNECTION},
                )
        return self.async_show_form(
            step_id="cloud",
            data_schema=self.add_suggested_values_to_schema(
                CLOUD_SCHEMA,  # type: ignore[arg-type, unused-ignore]
                _without_password(user_input),
            ),
            errors=errors,
        )

    async def async_step_local(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Connect to JDownloader's local API (no account).

        The entry is keyed by the JDownloader's MyJDownloader id when it has one (the id an
        account lists it under: one JDownloader, one device, however it was added), else by
        host:port; it is named like the JDownloader.
        """
        errors: dict[str, str] = {}
        if user_input is not None:
            port = int(user_input[CONF_PORT])
            if (host := _normalize_host(user_input[CONF_HOST])) is None:
                errors[CONF_HOST] = "invalid_host"
            else:
                self._async_abort_entries_match({CONF_HOST: host, CONF_PORT: port})
                try:
                    identity = await _read_local_identity(self.hass, host, port)
                except Exception as err:  # noqa: BLE001 - becomes a flow error
                    errors["base"] = _local_error(err, host, port)
                else:
                    device_id = identity.device_id or local_address(host, port)
                    if identity.device_id and async_account_serves(self.hass, device_id):
                        # Its entities already come from the account entry; a second device
                        # would collide with them (README: "added both ways").
                        return self.async_abort(reason="already_configured_account")
                    await self.async_set_unique_id(device_id)
                    self._abort_if_unique_id_configured()
                    return self.async_create_entry(
                        title=identity.name or local_address(host, port),
                        data={
                            CONF_MODE: MODE_LOCAL,
                            CONF_HOST: host,
                            CONF_PORT: port,
                            CONF_DEVICE_ID: device_id,
                        },
                    )
        return self.async_show_form(
            step_id="local",
            data_schema=self.add_suggested_values_to_schema(LOCAL_SCHEMA, user_input),  # type: ignore[arg-type, unused-ignore]
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start reauthentication after the MyJDownloader login failed."""
        if entry_data.get(CONF_MODE) != MODE_CLOUD:
            return self.async_abort(reason="reauth_not_supported")
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the account's (new) password."""
        errors: dict[str, str] = {}
        entry = self._get_reauth_entry()
        email: str = entry.data[CONF_EMAIL]
        if user_input is not None:
            await self.async_set_unique_id(email.lower())
            self._abort_if_unique_id_mismatch()
            try:
                secrets = await _validate_cloud(
                    self.hass, email, user_input[CONF_PASSWORD], entry.data[CONF_API_URL]
                )
            except Exception as err:  # noqa: BLE001 - becomes a flow error
                errors["base"] = _cloud_error(err)
            else:
                return self.async_update_reload_and_abort(entry, data_updates=secrets)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=REAUTH_SCHEMA,  # type: ignore[arg-type, unused-ignore]
            description_placeholders={CONF_EMAIL: email},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the account / API server, or the local JDownloader's address."""
        entry = self._get_reconfigure_entry()
        if entry.data[CONF_MODE] == MODE_LOCAL:
            return await self.async_step_reconfigure_local(user_input)
        return await self.async_step_reconfigure_cloud(user_input)

    async def async_step_reconfigure_cloud(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Re-enter a MyJDownloader account; it must be the same account."""
        errors: dict[str, str] = {}
        entry = self._get_reconfigure_entry()
        if user_input is not None:
            email = user_input[CONF_EMAIL].strip()
            api_url = user_input[CONF_ADVANCED][CONF_API_URL].strip().rstrip("/")
            await self.async_set_unique_id(email.lower())
            self._abort_if_unique_id_mismatch()
            password = user_input.get(CONF_PASSWORD)
            try:
                if password:
                    secrets = await _validate_cloud(self.hass, email, password, api_url)
                else:
                    # Same account (checked above), so the stored secrets still fit: e.g. only
                    # the API server changed.
                    stored = Secrets.from_hex(
                        {
                            CONF_LOGIN_SECRET: entry.data[CONF_LOGIN_SECRET],
                            CONF_DEVICE_SECRET: entry.data[CONF_DEVICE_SECRET],
                        }
                    )
                    secrets = await _validate_secrets(self.hass, email, stored, api_url)
            except Exception as err:  # noqa: BLE001 - becomes a flow error
                errors["base"] = _cloud_error(err)
            else:
                return self.async_update_reload_and_abort(
                    entry,
                    data_updates={CONF_EMAIL: email, CONF_API_URL: api_url} | secrets,
                )
        suggested = user_input or {
            CONF_EMAIL: entry.data[CONF_EMAIL],
            CONF_ADVANCED: {CONF_API_URL: entry.data[CONF_API_URL]},
        }
        return self.async_show_form(
            step_id="reconfigure_cloud",
            data_schema=self.add_suggested_values_to_schema(
                RECONFIGURE_CLOUD_SCHEMA,  # type: ignore[arg-type, unused-ignore]
                _without_password(suggested),
            ),
            errors=errors,
        )

    async def async_step_reconfigure_local(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Point a local entry at the JDownloader's new address (device and entities stay).

        It must be the same JDownloader: the same MyJDownloader id, or, for an entry keyed by
        host:port (no id), a JDownloader without one.
        """
        errors: dict[str, str] = {}
        entry = self._get_reconfigure_entry()
        if user_input is not None:
            port = int(user_input[CONF_PORT])
            if (host := _normalize_host(user_input[CONF_HOST])) is None:
                errors[CONF_HOST] = "invalid_host"
            else:
                try:
                    identity = await _read_local_identity(self.hass, host, port)
                except Exception as err:  # noqa: BLE001 - becomes a flow error
                    errors["base"] = _local_error(err, host, port)
                else:
                    address = local_address(host, port)
                    current = entry.unique_id or ""
                    if not is_local_address(current):
                        # Keyed by a MyJDownloader id: it must be that JDownloader.
                        await self.async_set_unique_id(identity.device_id or address)
                        self._abort_if_unique_id_mismatch()
                        unique_id = current
                    else:
                        # Keyed by host:port (no id). If the JDownloader there reports an id
                        # now, setup moves the entry to it (and checks it is not set up twice).
                        unique_id = address
                        if unique_id != current:
                            await self.async_set_unique_id(unique_id)
                            self._abort_if_unique_id_configured()
                    old = local_address(entry.data[CONF_HOST], entry.data[CONF_PORT])
                    return self.async_update_reload_and_abort(
                        entry,
                        unique_id=unique_id,
                        # A title that is the old address (JD without a name) follows it.
                        title=address if entry.title == old else entry.title,
                        data_updates={CONF_HOST: host, CONF_PORT: port},
                    )
        return self.async_show_form(
            step_id="reconfigure_local",
            data_schema=self.add_suggested_values_to_schema(
                LOCAL_SCHEMA,  # type: ignore[arg-type, unused-ignore]
                user_input or dict(entry.data),
            ),
            errors=errors,
        )


class JDownloaderOptionsFlow(OptionsFlow):
    """Options of a MyJDownloader account entry."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose whether to talk to JDownloaders directly on the LAN."""
        if user_input is not None:
            # Reload by hand: OptionsFlowWithReload needs HA 2025.8, and an update listener
            # would reload twice when reauth/reconfigure update the entry.
            self.hass.config_entries.async_update_entry(self.config_entry, options=user_input)
            self.hass.config_entries.async_schedule_reload(self.config_entry.entry_id)
            return self.async_create_entry(data=user_input)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema({vol.Required(CONF_DIRECT_CONNECTION): bool}),  # type: ignore[arg-type, unused-ignore]
                {
                    CONF_DIRECT_CONNECTION: self.config_entry.options.get(
                        CONF_DIRECT_CONNECTION, DEFAULT_DIRECT_CONNECTION
                    )
                },
            ),
        )


def _without_password(user_input: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Form defaults: never echo a password back into the form."""
    if user_input is None:
        return None
    return {k: v for k, v in user_input.items() if k != CONF_PASSWORD}
