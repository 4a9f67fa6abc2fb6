"""The two cache helpers (app/caching.py): per request, and per process."""
from app.caching import Memo, app_memo, per_request


def test_per_request_makes_once_per_request_and_each_time_outside_one(app):
    made = []

    def make():
        made.append(1)
        return len(made)

    assert per_request("grid.test", make) == 1 and per_request("grid.test", make) == 2  # no request
    with app.test_request_context("/"):
        assert [per_request("grid.test", make) for _ in range(3)] == [3, 3, 3]
        assert per_request("grid.test", make, fresh=lambda kept: kept != 3) == 4  # rejected: made again
    with app.test_request_context("/"):
        assert per_request("grid.test", make) == 5  # a new request, a new value


def test_a_memo_keeps_by_key_rejects_what_is_not_fresh_and_forgets_all_when_full():
    memo = Memo(most=2)
    assert memo.get("a", lambda: 1) == 1 and memo.get("a", lambda: 2) == 1
    assert memo.get("a", lambda: 3, fresh=lambda value: value > 1) == 3
    memo.get("b", lambda: 4)
    memo.get("c", lambda: 5)  # full: everything forgotten, then kept
    assert memo.entries == {"c": 5}


def test_each_app_has_its_own_memos(app):
    with app.app_context():
        memo = app_memo("grid.test_memo", 4)
        assert app_memo("grid.test_memo", 4) is memo
        assert app.extensions["grid.test_memo"] is memo
