"""MyJDownloader connection server + simulated JDownloader devices for tests (independent of our client)."""

from .device import SimDevice
from .emulator import Emulator, RequestRecord
from .faults import FAULT_KINDS, Faults

__all__ = ["FAULT_KINDS", "Emulator", "Faults", "RequestRecord", "SimDevice"]
