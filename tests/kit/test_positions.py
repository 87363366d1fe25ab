"""The pools special values are planted from (``properties/strategies/cases.py``): indexing one
gives the positions ``np.flatnonzero`` would list, without listing a big input's positions."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from properties.strategies.cases import _region_positions

REGIONS = st.integers(0, 300).flatmap(lambda n: hnp.arrays(bool, n))


@given(REGIONS, st.data())
def test_region_positions_are_flatnonzeros_positions(region, data):
    pools = _region_positions(region.size, region)
    expected = {"inside": np.flatnonzero(region), "outside": np.flatnonzero(~region)}
    assert sorted(pools) == sorted(expected)
    for name, listed in expected.items():
        pool = pools[name]
        assert len(pool) == len(listed)
        every = pool[np.arange(len(pool))]
        assert every.dtype.kind == "i" and every.tolist() == listed.tolist(), name
        if len(pool):
            k = data.draw(st.lists(st.integers(0, len(pool) - 1), max_size=5))
            assert pool[np.array(k, np.int64)].tolist() == listed[k].tolist()
            assert pool[[k[0]] if k else [0]].tolist() == listed[[k[0]] if k else [0]].tolist()


def test_without_a_region_every_position_is_in_the_pool():
    (pool,) = _region_positions(7, None).values()
    assert len(pool) == 7 and pool[np.arange(7)].tolist() == list(range(7))


def test_a_big_mostly_outside_region_is_not_listed_whole():
    """Planted defect check: a pool that lists its positions (the old ``np.flatnonzero``) would
    hold 10^7 of them here; this one holds only the region's."""
    region = np.zeros(10_000_000, bool)
    region[[5, 6, 9_999_999]] = True
    pools = _region_positions(region.size, region)
    outside = pools["outside"]
    assert len(outside) == region.size - 3
    assert outside[np.array([0, 4, 5, 6, region.size - 4])].tolist() == [0, 4, 7, 8, 9_999_998]
    assert outside._listed is None and len(outside._shift) == 3
