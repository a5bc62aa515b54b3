"""The company key: one employer, however its name is written."""

import pytest

from app.shared.company_names import company_key, role_key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Acme", "acme"),
        ("ACME GmbH", "acme"),
        ("acme, inc.", "acme"),
        ("The Acme Group", "acme"),
        ("Acme Corp.", "acme"),
        ("Société Générale S.A.", "societe-generale"),
        ("Globex B.V.", "globex"),
        ("Müller & Söhne GmbH & Co. KG", "muller-sohne"),
        ("Initech Holdings Ltd", "initech"),
        ("Ltd", "ltd"),  # a name that is only a legal form keeps it
        ("???", "???"),  # nothing to normalise: the name is its own key
    ],
)
def test_one_employer_one_key(name, key):
    assert company_key(name) == key


@pytest.mark.parametrize("name", [None, "", "   "])
def test_a_blank_name_has_no_key(name):
    assert company_key(name) is None


def test_keys_fit_their_column():
    assert len(company_key("x" * 500) or "") == 200


def test_a_role_title_compares_without_case_or_extra_spaces():
    assert role_key("  Platform   Engineer ") == role_key("platform engineer")
    assert role_key("Développeur") == "développeur"
