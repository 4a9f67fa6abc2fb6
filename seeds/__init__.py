"""Demo data for 桑园南社区 (``load_demo``, the one entry point and the one place its order is
written) and the scale generator (``seeds.scale``). The app imports this package only inside the
functions that seed, never at module level."""
from __future__ import annotations

# The demo's parts in the order they are loaded.
# Accounts come after the registry (they are given its grids) and before the cases (which name
# their reporters and assignees); co-building units' gifts are donations to the aid station.
PARTS = ("registry", "accounts", "cases", "aid", "community_work", "recommendations", "patrols")


def load_demo(accounts: bool) -> dict:
    """桑园南社区 with the report's figures: each part adds only what is missing (running it again
    changes nothing). ``accounts``: create the demo accounts (demo mode only). Returns, per part,
    whether it added anything (for the accounts, the usernames created now)."""
    from .accounts import seed_demo_accounts
    from .aid import seed_demo_aid
    from .cases import seed_demo_cases
    from .community import seed_demo_community_work
    from .demo import seed_demo
    from .patrols import seed_demo_patrols
    from .recommendations import seed_demo_recommendations

    loaders = {"registry": seed_demo, "accounts": seed_demo_accounts if accounts else list,
               "cases": seed_demo_cases, "aid": seed_demo_aid, "community_work": seed_demo_community_work,
               "recommendations": seed_demo_recommendations, "patrols": seed_demo_patrols}
    return {part: loaders[part]() for part in PARTS}


def ensure_demo_accounts() -> list[str]:
    """The demo's accounts (demo mode only: the caller decides); the usernames created now."""
    from .accounts import seed_demo_accounts
    return seed_demo_accounts()


def demo_accounts_text() -> str:
    from .accounts import ACCOUNTS, DEMO_PASSWORD
    return f"Demo accounts (password {DEMO_PASSWORD}): " + ", ".join(name for name, *_ in ACCOUNTS)
