"""The build date: today, or SOURCE_DATE_EPOCH when set, so builds can be reproduced."""

from __future__ import annotations

import os
from datetime import date, datetime, timezone


def build_date() -> date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
    return date.today()
