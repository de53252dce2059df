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
STALL_TARGET_MS = 50.0
RATIO_TARGET = 5.0


@dataclass
class Row:
    """Both clients measured against one emulator (K devices x L links)."""

    devices: int
    links: int
    ours: IntegrationResult
    old_downloading: Sample
    old_idle: Sample

    # --- this integration (a poll = one device's refresh; a cycle refreshes every device)
    def ours_requests(self, active: bool) -> float:
        return requests_per_device_minute(self.ours, self.devices, active=active)

    def ours_cpu_minute(self, active: bool) -> float:
        sample = self.ours.downloading if active else self.ours.idle
        return sample.per_poll(sample.cpu) / self.devices * polls_per_minute(active)

    def ours_poll(self, active: bool) -> Sample:
        return self.ours.downloading if active else self.ours.idle

    # --- the v2.5.0 pattern (one update cycle = 60 s, every device)
    def old(self, active: bool) -> Sample:
        return self.old_downloading if active else self.old_idle

    def old_requests(self, active: bool) -> float:
        sample = self.old(active)
        return sample.per_poll(sample.requests) / self.devices

    def old_cpu_minute(self, active: bool) -> float:
        sample = self.old(active)
        return sample.per_poll(sample.cpu) / self.devices


def _ratio(old: float, ours: float) -> float:
    return old / ours if ours > 0 else float("inf")


def _kb(sample: Sample, devices: int) -> str:
    return f"{sample.per_poll(sample.bytes) / devices / 1000:,.1f}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def results_table(rows: list[Row]) -> str:
    """Absolute figures, both clients, one line each."""
    lines = [
        "| JDs | links | client | cloud req/device-min downloading | idle "
        "| kB/device-poll downloading / idle | CPU ms/device-poll downloading / idle "
        "| CPU ms/device-min downloading | idle | longest loop stall ms |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        k = row.devices
        dl, idle = row.ours_poll(True), row.ours_poll(False)
        lines.append(
            f"| {k} | {row.links:,} | this integration "
            f"| {row.ours_requests(True):.2f} | {row.ours_requests(False):.2f} "
            f"| {_kb(dl, k)} / {_kb(idle, k)} "
            f"| {_ms(dl.per_poll(dl.cpu) / k)} / {_ms(idle.per_poll(idle.cpu) / k)} "
            f"| {_ms(row.ours_cpu_minute(True))} | {_ms(row.ours_cpu_minute(False))} "
            f"| {_ms(max(dl.max_stall, idle.max_stall, row.ours.transition.max_stall))} |"
        )
        odl, oidle = row.old(True), row.old(False)
        lines.append(
            f"| {k} | {row.links:,} | v2.5.0 pattern (myjdapi) "
            f"| {row.old_requests(True):.2f} | {row.old_requests(False):.2f} "
            f"| {_kb(odl, k)} / {_kb(oidle, k)} "
            f"| {_ms(odl.per_poll(odl.cpu) / k)} / {_ms(oidle.per_poll(oidle.cpu) / k)} "
            f"| {_ms(row.old_cpu_minute(True))} | {_ms(row.old_cpu_minute(False))} "
            f"| {_ms(max(odl.max_stall, oidle.max_stall))} |"
        )
    return "\n".join(lines)


def ratios_table(rows: list[Row]) -> str:
    """The issue's targets as ratios (old ÷ ours; higher is better)."""
    lines = [
        "| JDs | links | requests ratio downloading | idle | CPU/min ratio downloading | idle "
        f"| stall ≤ {STALL_TARGET_MS:.0f} ms |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        ours = row.ours
        stall = max(ours.downloading.max_stall, ours.idle.max_stall, ours.transition.max_stall)
        stall *= 1000
        lines.append(
            f"| {row.devices} | {row.links:,} "
            f"| {_ratio(row.old_requests(True), row.ours_requests(True)):.1f}x "
            f"| {_ratio(row.old_requests(False), row.ours_requests(False)):.1f}x "
            f"| {_ratio(row.old_cpu_minute(True), row.ours_cpu_minute(True)):.1f}x "
            f"| {_ratio(row.old_cpu_minute(False), row.ours_cpu_minute(False)):.1f}x "
            f"| {'yes' if stall <= STALL_TARGET_MS else 'NO'} ({stall:.1f} ms) |"
        )
    return "\n".join(lines)


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
            ("v2.5.0 pattern, downloading", row.old_downloading),
        ):
            per = ", ".join(
                f"{endpoint} {count / sample.polls / k:.2f}"
                for endpoint, count in sorted(sample.endpoints.items())
            )
            lines.append(f"- {k} x {row.links:,}, {label}: {per}")
        lines.append(
            f"- {k} x {row.links:,}: hourly slow data {row.ours.slow_requests:.1f} requests per "
            f"device, device list {row.ours.account_requests:.0f} per 5 min, "
            f"transition check {_ms(row.ours.transition.per_poll(row.ours.transition.cpu) / k)} "
            f"CPU ms per device-poll, "
            f"setup {row.ours.setup_seconds:.1f} s"
        )
    return "\n".join(lines)
