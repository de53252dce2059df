"""Tables (Markdown), machine description and the README section."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
import platform
import re
import subprocess

from .integration import IntegrationResult, polls_per_minute, requests_per_device_minute
from .measure import Sample

README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"
# The issue's targets: this integration against 2.5.0's default install, per device-minute.
TARGETS = {"downloading": 5.0, "idle": 10.0}
TARGET_LINKS = (100, 10_000)
INSTALLS = {"default": "2.5.0 default install", "all": "2.5.0 all entities"}


@dataclass
class Row:
    """Both clients measured against one emulator (K devices x L links).

    A refresh: one device's poll for this integration, one device's share of a 60 s update
    for 2.5.0 (it refreshes every entity each minute).
    """

    devices: int
    links: int
    ours: IntegrationResult
    default_downloading: Sample
    default_idle: Sample
    all_downloading: Sample
    all_idle: Sample

    # --- this integration (a cycle refreshes every device once)
    def ours_poll(self, active: bool) -> Sample:
        return self.ours.downloading if active else self.ours.idle

    def ours_requests(self, active: bool) -> float:
        return requests_per_device_minute(self.ours, self.devices, active=active)

    def ours_cpu_refresh(self, active: bool) -> float:
        sample = self.ours_poll(active)
        return sample.per_poll(sample.cpu) / self.devices

    def ours_cpu_minute(self, active: bool) -> float:
        return self.ours_cpu_refresh(active) * polls_per_minute(active)

    # --- 2.5.0 (one update cycle = 60 s, every device)
    def old(self, install: str, active: bool) -> Sample:
        sample: Sample = getattr(self, f"{install}_{'downloading' if active else 'idle'}")
        return sample

    def old_requests(self, install: str, active: bool) -> float:
        sample = self.old(install, active)
        return sample.per_poll(sample.requests) / self.devices

    def old_cpu_minute(self, install: str, active: bool) -> float:
        sample = self.old(install, active)
        return sample.per_poll(sample.cpu) / self.devices

    def ratios(self, install: str, active: bool) -> tuple[float, float]:
        """(requests, CPU) per device-minute: 2.5.0 ÷ this integration."""
        return (
            _ratio(self.old_requests(install, active), self.ours_requests(active)),
            _ratio(self.old_cpu_minute(install, active), self.ours_cpu_minute(active)),
        )

    def stall(self) -> float:
        ours = self.ours
        return max(ours.downloading.max_stall, ours.idle.max_stall, ours.transition.max_stall)

    def gc_pause(self) -> float:
        ours = self.ours
        return max(ours.downloading.max_gc, ours.idle.max_gc, ours.transition.max_gc)


def _ratio(old: float, ours: float) -> float:
    return old / ours if ours > 0 else float("inf")


def _kb(sample: Sample, devices: int) -> str:
    return f"{sample.per_poll(sample.bytes) / devices / 1000:,.1f}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def results_table(rows: list[Row]) -> str:
    """Absolute figures, one line per client and size."""
    lines = [
        "| JDs | links | client | cloud req/refresh downloading / idle "
        "| cloud req/device-min downloading | idle "
        "| kB/refresh downloading / idle | CPU ms/refresh downloading / idle "
        "| CPU ms/device-min downloading | idle | longest loop stall ms (longest GC) |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        k = row.devices
        dl, idle = row.ours_poll(True), row.ours_poll(False)
        lines.append(
            f"| {k} | {row.links:,} | this integration "
            f"| {dl.per_poll(dl.requests) / k:.2f} / {idle.per_poll(idle.requests) / k:.2f} "
            f"| {row.ours_requests(True):.2f} | {row.ours_requests(False):.2f} "
            f"| {_kb(dl, k)} / {_kb(idle, k)} "
            f"| {_ms(row.ours_cpu_refresh(True))} / {_ms(row.ours_cpu_refresh(False))} "
            f"| {_ms(row.ours_cpu_minute(True))} | {_ms(row.ours_cpu_minute(False))} "
            f"| {_ms(row.stall())} ({_ms(row.gc_pause())}) |"
        )
        for install, label in INSTALLS.items():
            odl, oidle = row.old(install, True), row.old(install, False)
            lines.append(
                f"| {k} | {row.links:,} | {label} "
                f"| {row.old_requests(install, True):.2f} / {row.old_requests(install, False):.2f} "
                f"| {row.old_requests(install, True):.2f} | {row.old_requests(install, False):.2f} "
                f"| {_kb(odl, k)} / {_kb(oidle, k)} "
                f"| {_ms(row.old_cpu_minute(install, True))} / "
                f"{_ms(row.old_cpu_minute(install, False))} "
                f"| {_ms(row.old_cpu_minute(install, True))} "
                f"| {_ms(row.old_cpu_minute(install, False))} "
                f"| {_ms(max(odl.max_stall, oidle.max_stall))} "
                f"({_ms(max(odl.max_gc, oidle.max_gc))}) |"
            )
    return "\n".join(lines)


def setup_table(rows: list[Row]) -> str:
    """Setup time, memory, the worst-case check and polling without transitions, per size."""
    lines = [
        "| JDs | links | setup s | memory MB | full check CPU ms per JDownloader "
        "| req/device-min downloading without the detector's reads | ratio to default install |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        check = row.ours.transition
        steady = requests_per_device_minute(
            row.ours, row.devices, active=True, detector_reads=False
        )
        lines.append(
            f"| {row.devices} | {row.links:,} | {row.ours.setup_seconds:.1f} "
            f"| {row.ours.memory_mb:.0f} | {_ms(check.per_poll(check.cpu) / row.devices)} "
            f"| {steady:.2f} | {_ratio(row.old_requests('default', True), steady):.2f}x |"
        )
    return "\n".join(lines)


def _met(value: float, target: float) -> str:
    return f"{value:.1f}x" if value >= target else f"**{value:.1f}x (target {target:.0f}x)**"


def ratios_table(rows: list[Row]) -> str:
    """The issue's targets as ratios (2.5.0 ÷ ours per device-minute; higher is better)."""
    lines = [
        "| JDs | links | vs 2.5.0 | requests downloading | idle | CPU downloading | idle |",
        "|---:|---:|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        for install, label in INSTALLS.items():
            req_dl, cpu_dl = row.ratios(install, True)
            req_idle, cpu_idle = row.ratios(install, False)
            graded = install == "default" and row.links in TARGET_LINKS
            dl, idle = TARGETS["downloading"], TARGETS["idle"]
            cells = (
                [_met(req_dl, dl), _met(req_idle, idle), _met(cpu_dl, dl), _met(cpu_idle, idle)]
                if graded
                else [f"{v:.1f}x" for v in (req_dl, req_idle, cpu_dl, cpu_idle)]
            )
            lines.append(
                f"| {row.devices} | {row.links:,} | {label.removeprefix('2.5.0 ')} "
                f"| {' | '.join(cells)} |"
            )
    return "\n".join(lines)


def targets_met(rows: list[Row]) -> bool:
    """Every ratio the issue sets (default install, 100 and 10,000 links)."""
    for row in rows:
        if row.links in TARGET_LINKS:
            for active, target in ((True, TARGETS["downloading"]), (False, TARGETS["idle"])):
                if min(row.ratios("default", active)) < target:
                    return False
    return True


def machine() -> str:
    """Date, cores, CPU model, Python and Home Assistant versions."""
    from homeassistant.const import __version__ as ha_version

    date = subprocess.run(["date", "-u"], capture_output=True, text=True, check=False).stdout
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout
    return (
        f"{date.strip()}; {cores.strip()} cores, {cpu}; Python {platform.python_version()}; "
        f"Home Assistant {ha_version}"
    )


def update_readme(path: Path, section: str) -> bool:
    """Replace the text between the benchmark markers (only that); False without markers."""
    text = path.read_text()
    pattern = re.compile(re.escape(README_START) + ".*?" + re.escape(README_END), re.DOTALL)
    if not pattern.search(text):
        return False
    path.write_text(pattern.sub(lambda _: f"{README_START}\n{section}\n{README_END}", text, 1))
    return True


def endpoints_summary(rows: list[Row]) -> str:
    """Cloud requests per endpoint: per device-poll (this integration), per device-update (old)."""
    lines = []
    for row in rows:
        k = row.devices
        for label, sample in (
            ("this integration, downloading", row.ours.downloading),
            ("this integration, idle", row.ours.idle),
            ("this integration, transition check every poll", row.ours.transition),
            ("2.5.0 default install, downloading", row.default_downloading),
            ("2.5.0 all entities, downloading", row.all_downloading),
        ):
            per = ", ".join(
                f"{endpoint} {count / sample.polls / k:.2f}"
                for endpoint, count in sorted(sample.endpoints.items())
            )
            lines.append(f"- {k} x {row.links:,}, {label}: {per}")
        lines.append(
            f"- {k} x {row.links:,}: slow data {row.ours.hourly_requests:.1f} requests per device "
            f"hourly, {row.ours.slow_requests:.1f} (all of it and the toolbar) every 6 h, "
            f"device list {row.ours.account_requests:.0f} per 30 min, "
            f"transition check {_ms(row.ours.transition.per_poll(row.ours.transition.cpu) / k)} "
            f"CPU ms per device-poll, "
            f"setup {row.ours.setup_seconds:.1f} s, memory +{row.ours.memory_mb:.0f} MB"
        )
    return "\n".join(lines)
