"""How the kit chooses its profile (``properties/core/profiles.py``): the order of the choice,
and a choice made once that stays made."""

import pytest
from hypothesis import settings

from properties.core.profiles import choose_profile, default_profile, profile_settings

pytestmark = pytest.mark.usefixtures("restore_hypothesis_profile")


@pytest.fixture(autouse=True)
def no_environment_choice(monkeypatch):
    monkeypatch.delenv("PROPERTIES_PROFILE", raising=False)


def test_under_ci_the_kit_chooses_ci_and_keeps_it_once_loaded():
    """Hypothesis loads its own ``ci`` profile on a CI service; a conftest's ``choose_profile()``
    then loads the kit's ``ci``, and every later choice (each property test's, made when pytest
    collects it) must still be ``ci``: derandomised, without the database.  It fell back to
    ``dev`` (randomised, with the database) once the kit's own profile was the current one."""
    settings.load_profile("ci")
    assert choose_profile() == "ci"
    assert default_profile() == "ci"
    chosen = profile_settings()
    assert chosen.derandomize and chosen.database is None and chosen.max_examples == 30


@pytest.mark.parametrize("name", ["dev", "quick", "thorough", "ci"])
def test_a_profile_chosen_by_name_is_the_default_after(name):
    choose_profile(name)
    assert default_profile() == name


def test_without_a_choice_or_ci_the_profile_is_dev(monkeypatch):
    settings.load_profile("default")
    assert default_profile() == "dev"
    monkeypatch.setenv("PROPERTIES_PROFILE", "quick")
    assert default_profile() == "quick"
    settings.load_profile("ci")
    assert default_profile() == "quick", "PROPERTIES_PROFILE comes before Hypothesis's ci profile"
