"""Import every domain's models, so the metadata is complete (for Alembic and the tests)."""

from __future__ import annotations


def import_all_models() -> None:
    from pb.accounts import models as _accounts  # noqa: F401
    from pb.audit import models as _audit  # noqa: F401
    from pb.cycles import models as _cycles  # noqa: F401
    from pb.deliberation import models as _deliberation  # noqa: F401
    from pb.delivery import models as _delivery  # noqa: F401
    from pb.events import models as _events  # noqa: F401
    from pb.mandates import models as _mandates  # noqa: F401
    from pb.priorities import models as _priorities  # noqa: F401
    from pb.proposals import models as _proposals  # noqa: F401
    from pb.results import models as _results  # noqa: F401
    from pb.voting import models as _voting  # noqa: F401
