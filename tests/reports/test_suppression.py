import pytest

from reports.selectors import suppressed


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (1, None), (4, None), (5, 5), (17000, 17000), (None, None)],
)
def test_the_public_sees_no_count_of_one_to_four_persons(count, shown):
    # 1–4 persons could point at someone; none (0) or five and more cannot.
    assert suppressed(count) == shown
