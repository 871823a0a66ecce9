"""Reference gazetteers: ORI linking, state filling, 287(g) listings and the conflict hint."""

from __future__ import annotations

import dataclasses
import gzip
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language

from extractor import reference
from extractor.api import extract
from extractor.reference import (
    ICE_SNAPSHOT,
    Agreement,
    Listing287g,
    OriLink,
    conflict_note,
    find_287g,
    link_ori,
    link_reference,
    name_key,
    variant_key,
)
from extractor.rows import AgencyRow, ArticleRow, DocumentRows, StanceRow

from .conftest import ROOT

SHARED_DATA = ROOT.parent / "shared" / "data"
PACKAGED = ROOT / "extractor" / "data"


# --- normalising names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fbi"),
    [
        ("Harris County Sheriff's Department", "Harris County Sheriff's Office"),
        ("Harris County Sheriff’s Office", "Harris County Sheriff's Office"),
        ("Sheriff's Office of Harris County", "Harris County Sheriff's Office"),
        ("Harris County Office of the Sheriff", "Harris County Sheriff's Office"),
        ("Harris Co. Sheriff's Dept.", "Harris County Sheriff's Office"),
        ("Harris County Sheriff", "Harris County Sheriff's Office"),
        ("Omaha Police Dept.", "Omaha Police Department"),
        ("Omaha PD", "Omaha Police Department"),
        ("the Omaha Police", "Omaha Police Department"),
        (
            "Las Vegas Metropolitan Police Department",
            "Las Vegas Metropolitan Police Department Police Department",
        ),
        ("Louisville Metropolitan Police Department", "Louisville Metro Police Department"),
        ("Pittsburgh Police", "Pittsburgh Bureau of Police"),
        ("Saint Paul Police Department", "St. Paul Police Department"),
        ("City of St. Paul Police", "St. Paul Police Department"),
        ("Cheltenham Police Department", "Cheltenham Township Police Department"),
        ("Penn Township Police Department", "Penn Township Police Department, York County"),
        ("Doña Ana County Sheriff's Office", "Dona Ana County Sheriff's Office"),
        ("Miami Dade County Police", "Miami-Dade County Police Department"),
    ],
)
def test_name_variants_share_a_key(text: str, fbi: str) -> None:
    text_key, fbi_key = name_key(text), name_key(fbi)
    assert text_key == fbi_key or variant_key(text_key) == variant_key(fbi_key) is not None


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Baltimore County Police Department", "Baltimore Police Department"),
        ("Harris County Sheriff's Office", "Harris County Police Department"),
        ("North Las Vegas Police Department", "Las Vegas Police Department"),
        ("Union City Police Department", "Union Police Department"),
    ],
)
def test_different_agencies_keep_different_keys(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)
    assert variant_key(name_key(one)) != variant_key(name_key(other))


@given(st.text(max_size=80))
def test_name_key_is_plain_words_and_a_fixed_point(name: str) -> None:
    key = name_key(name)
    assert re.fullmatch(r"(?:[a-z0-9]+(?: [a-z0-9]+)*)?", key)
    assert name_key(key) == key


@given(
    st.lists(
        st.sampled_from(
            ["Sheriff's", "Office", "of", "the", "Police", "Department", "Dept.", "County", "X"]
        ),
        max_size=12,
    )
)
def test_name_key_fixed_point_on_agency_words(words: list[str]) -> None:
    key = name_key(" ".join(words))
    assert name_key(key) == key


# --- ORI linking --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "agency_type", "state", "ori"),
    [
        ("Springfield Police Department", "police", "IL", "IL0840200"),
        ("Harris County Sheriff's Department", "sheriff", "TX", "TX1010000"),
        ("Sheriff's Office of Harris County", "sheriff", "TX", "TX1010000"),
        ("Las Vegas Metropolitan Police Department", "police", "NV", "NV0020100"),
        ("Las Vegas Police Department", "police", "NV", "NV0020100"),
        ("Chicago Police Dept.", "police", "IL", "ILCPD0000"),
        ("New York City Police Department", "police", "NY", "NY0303000"),
        ("Omaha Police Department", "police", "NE", "NB0280200"),
        ("Omaha Police Department", "police", "TX", "TX1720300"),
        ("Beloit Police Department", "police", "WI", "WI0540100"),
        ("Arizona Department of Public Safety", "state", "AZ", "AZCCHPX00"),
        ("Metropolitan Transportation Authority", "other", "CT", "CT0018500"),
        # The FBI drops the state's name from some state agencies.
        ("Texas Department of Public Safety", "state", "TX", "TX0000000"),
        ("Pennsylvania State Police", "state", "PA", "PAPSP0000"),
        ("Louisiana State Police Department", "police", "LA", "LALSP0000"),
        ("Minnesota Bureau of Criminal Apprehension", "state", "MN", "MNBCA0000"),
        ("State Police", "state", "IN", "INISP0000"),
        ("Texas City Police Department", "police", "TX", "TX0840900"),
        ("LVMPD", "police", "NV", "NV0020100"),
    ],
)
def test_unambiguous_name_and_state_link(name: str, agency_type: str, state: str, ori: str) -> None:
    link = link_ori(name, agency_type=agency_type, state=state)
    assert (link.ori, link.state, link.match) == (ori, state, "matched")


@pytest.mark.parametrize(
    ("name", "agency_type", "state"),
    [
        ("Springfield Police Department", "police", ""),  # 16 states
        ("Harris County Sheriff's Office", "sheriff", ""),  # GA and TX
        ("Las Vegas Police Department", "police", ""),  # NM exactly, NV loosely
        ("Town of Beloit Police Department", "police", "WI"),  # Beloit or Beloit Town
        ("HCSO", "sheriff", "TX"),  # Harris, Hays, Hidalgo... County Sheriff's Office
        # One in the list, but the name carries no place: New York's MTA is not CT's.
        ("Metropolitan Transportation Authority", "other", ""),
        ("Capitol Police", "police", ""),  # FL's state capitol police, or the U.S. Capitol's
        ("California Highway Patrol", "state", "CA"),  # dozens of "Highway Patrol:" offices
    ],
)
def test_ambiguous_names_get_no_ori(name: str, agency_type: str, state: str) -> None:
    assert link_ori(name, agency_type=agency_type, state=state) == OriLink(match="ambiguous")


@pytest.mark.parametrize(
    ("name", "agency_type", "state"),
    [
        ("Hartsell County Sheriff's Office", "sheriff", ""),
        ("Millford Police Department", "police", "TN"),
        ("Hennepin County Sheriff's Office", "sheriff", "WI"),  # exists, but in MN
        ("Harris County Police Department", "police", "TX"),  # a sheriff is not a police dept
        ("Florida Highway Patrol", "state", "FL"),  # the FBI lists its county offices only
        ("...", "police", "TX"),
    ],
)
def test_unknown_names_get_no_ori(name: str, agency_type: str, state: str) -> None:
    assert link_ori(name, agency_type=agency_type, state=state) == OriLink(match="not_found")


@pytest.mark.parametrize("agency_type", ["city", "county", "federal"])
def test_governments_and_federal_agencies_are_not_looked_up(agency_type: str) -> None:
    assert link_ori("Chicago Police Department", agency_type=agency_type) == OriLink()
    assert find_287g("Colbert County Sheriff's Office", agency_type=agency_type, state="AL") is None


def test_acronyms_need_a_state() -> None:
    assert link_ori("LVMPD", agency_type="police").match == "not_found"


@pytest.mark.parametrize(
    ("name", "agency_type", "ori", "state"),
    [
        ("Hennepin County Sheriff's Office", "sheriff", "MN0270000", "MN"),
        ("Chicago Police Dept.", "police", "ILCPD0000", "IL"),
        ("Pittsburgh Police", "police", "PAPPD0000", "PA"),
        ("Indiana State Police", "state", "INISP0000", "IN"),
    ],
)
def test_state_is_filled_when_the_name_is_unique_nationally(
    name: str, agency_type: str, ori: str, state: str
) -> None:
    link = link_ori(name, agency_type=agency_type)
    assert (link.ori, link.state, link.match) == (ori, state, "state_filled")


# --- 287(g) -------------------------------------------------------------------------------


def test_participating_agency() -> None:
    listing = find_287g(
        "Las Vegas Metropolitan Police Department", agency_type="police", state="NV"
    )
    assert listing is not None
    assert listing.status == "participating"
    assert listing.describe() == "Warrant Service Officer 2025-06-16"


def test_pending_agency() -> None:
    listing = find_287g("Dunnellon Police Department", agency_type="police", state="FL")
    assert listing is not None
    assert (listing.status, listing.describe()) == ("pending", "Task Force Model (pending)")


def test_signed_and_pending_agreements_of_one_agency() -> None:
    listing = find_287g("Marion County Sheriff's Office", agency_type="sheriff", state="AL")
    assert listing is not None
    assert listing.status == "participating"
    assert listing.describe() == (
        "Task Force Model 2025-06-12; Jail Enforcement Model (pending); "
        "Warrant Service Officer (pending)"
    )


def test_listing_found_through_the_ori_whatever_the_spelling() -> None:
    # ICE writes "Walker County Sheriff’s Department" and "... Sheriff's Office": one agency.
    link = link_ori("Walker County Sheriff's Office", agency_type="sheriff", state="TX")
    listing = find_287g(
        "Walker County Sheriff's Office", agency_type="sheriff", state="TX", ori=link.ori
    )
    assert listing is not None
    assert listing.status == "participating"
    assert len(listing.agreements) >= 2


def test_agencies_listed_twice_by_ice_are_one_agency_by_name() -> None:
    listing = find_287g("Calhoun County Sheriff's Office", agency_type="sheriff", state="TX")
    assert listing is not None
    assert [a.support_type for a in listing.agreements] == [
        "Jail Enforcement Model",
        "Warrant Service Officer",
        "Task Force Model",
    ]


@pytest.mark.parametrize(
    ("name", "agency_type", "state", "ori"),
    [
        ("Chicago Police Department", "police", "IL", ""),  # not in the list
        ("Harris County Sheriff's Office", "sheriff", "TX", "TX1010000"),  # GA's is listed
        ("Harris County Sheriff's Office", "sheriff", "", ""),  # no state: no name lookup
        ("Harris County Sheriff's Office", "sheriff", "GA", "GA9999999"),  # another ORI
    ],
)
def test_no_listing(name: str, agency_type: str, state: str, ori: str) -> None:
    assert find_287g(name, agency_type=agency_type, state=state, ori=ori) is None


# --- the conflict hint --------------------------------------------------------------------

SIGNED = Listing287g(
    "Harris County Sheriff's Office",
    "GA",
    (
        Agreement("Task Force Model", "2025-03-01", "participating"),
        Agreement("Jail Enforcement Model", "2025-02-20", "participating"),
        Agreement("Warrant Service Officer", "", "pending"),
    ),
)
PENDING = Listing287g("X Police Department", "FL", (Agreement("Task Force Model", "", "pending"),))


@pytest.mark.parametrize("stance", ["refuses", "limits"])
def test_refusal_meeting_a_signed_agreement_is_flagged(stance: str) -> None:
    assert conflict_note(stance, SIGNED) == (
        "287(g) Jail Enforcement Model signed 2025-02-20; Task Force Model signed 2025-03-01 "
        f"(ICE list of {ICE_SNAPSHOT})"
    )


@pytest.mark.parametrize(
    ("stance", "listing"),
    [
        ("cooperates", SIGNED),
        ("unclear", SIGNED),
        ("refuses", PENDING),
        ("refuses", None),
    ],
)
def test_no_conflict(stance: str, listing: Listing287g | None) -> None:
    assert conflict_note(stance, listing) == ""


@pytest.mark.parametrize(
    ("published", "suffix"),
    [
        ("2025-01-24T08:00:00Z", "; signed after this article (2025-01-24)"),
        ("2025-02-25", ""),  # one agreement predates the article
        ("", ""),
        ("January 2025", ""),
    ],
)
def test_conflict_says_when_every_agreement_came_after_the_article(
    published: str, suffix: str
) -> None:
    assert conflict_note("refuses", SIGNED, published=published).endswith(
        f"(ICE list of {ICE_SNAPSHOT}){suffix}"
    )


def test_agreement_without_a_support_type() -> None:
    assert Agreement("", "2025-01-01", "participating").describe() == (
        "support type not given 2025-01-01"
    )


# --- rows ---------------------------------------------------------------------------------


def _rows(agencies: list[AgencyRow], stances: list[StanceRow], published: str = "") -> DocumentRows:
    return DocumentRows(
        article=ArticleRow("d", "s", published=published),
        agencies=tuple(agencies),
        stances=tuple(stances),
    )


def _stance(agency: str, stance: str) -> StanceRow:
    return StanceRow("d", agency, stance, "evidence", "cue", "", 0.8)  # type: ignore[arg-type]


def test_link_reference_fills_agency_and_stance_columns() -> None:
    rows = link_reference(
        _rows(
            [
                AgencyRow(
                    "d", "Las Vegas Metropolitan Police Department", "police", "NV", "LVMPD", 3
                ),
                AgencyRow("d", "Hennepin County Sheriff's Office", "sheriff", "", "", 1),
                AgencyRow("d", "Omaha Police Department", "police", "", "", 1),
                AgencyRow("d", "Harris County Sheriff's Office", "sheriff", "GA", "", 1),
                AgencyRow("d", "City of Chicago", "city", "IL", "", 1),
                AgencyRow("d", "U.S. Immigration and Customs Enforcement", "federal", "", "ICE", 2),
            ],
            [
                _stance("Las Vegas Metropolitan Police Department", "refuses"),
                _stance("Harris County Sheriff's Office", "cooperates"),
                _stance("Hennepin County Sheriff's Office", "refuses"),
                _stance("Nowhere Police Department", "refuses"),
            ],
        )
    )
    got = [(a.state, a.ori, a.ori_match, a.in_287g, a.agreement_287g) for a in rows.agencies]
    assert got == [
        ("NV", "NV0020100", "matched", "participating", "Warrant Service Officer 2025-06-16"),
        ("MN", "MN0270000", "state_filled", "", ""),
        ("", "", "ambiguous", "", ""),
        ("GA", "GA0720000", "matched", "participating", "Warrant Service Officer 2025-05-22"),
        ("IL", "", "", "", ""),
        ("", "", "", "", ""),
    ]
    assert rows.agencies[0].ori_name == "Las Vegas Metropolitan Police Department Police Department"
    assert [s.conflict for s in rows.stances] == [
        f"287(g) Warrant Service Officer signed 2025-06-16 (ICE list of {ICE_SNAPSHOT})",
        "",
        "",
        "",
    ]


def test_link_reference_never_changes_a_state_the_text_gave() -> None:
    (row,) = link_reference(
        _rows([AgencyRow("d", "Hennepin County Sheriff's Office", "sheriff", "WI", "", 1)], [])
    ).agencies
    assert (row.state, row.ori, row.ori_match) == ("WI", "", "not_found")


def test_link_reference_without_agencies_changes_nothing() -> None:
    rows = _rows([], [])
    assert link_reference(rows) == rows


def test_reference_columns_come_after_the_contract_columns() -> None:
    agency_columns = [f.name for f in dataclasses.fields(AgencyRow)]
    assert agency_columns[:6] == ["doc_id", "agency", "agency_type", "state", "aliases", "mentions"]
    assert agency_columns[6:] == ["ori", "ori_name", "ori_match", "in_287g", "agreement_287g"]
    assert [f.name for f in dataclasses.fields(StanceRow)][-1] == "conflict"


def test_extract_links_agencies_and_flags_the_stance(nlp: Language) -> None:
    text = (
        "GALVESTON, Texas — The Galveston County Sheriff's Office will not honor "
        "immigration detainers from U.S. Immigration and Customs Enforcement, Sheriff Jimmy "
        "Fullen said Tuesday.\n\nThe Springfield Police Department said it was reviewing its policy."
    )
    rows = extract(text, html=False, nlp=nlp)
    by_name = {a.agency: a for a in rows.agencies}
    sheriff = by_name["Galveston County Sheriff's Office"]
    assert (sheriff.state, sheriff.ori, sheriff.in_287g) == ("TX", "TX0840000", "participating")
    assert by_name["Springfield Police Department"].ori_match == "ambiguous"
    (stance,) = (s for s in rows.stances if s.agency == sheriff.agency)
    assert stance.stance == "refuses"
    assert stance.conflict.startswith("287(g) Jail Enforcement Model signed 2020-06-08")


# --- the packaged data --------------------------------------------------------------------


def _build_script() -> ModuleType:
    path = ROOT / "scripts" / "build_reference.py"
    spec = importlib.util.spec_from_file_location("build_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build_script() -> ModuleType:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared reference data not found at {SHARED_DATA}")
    return _build_script()


def test_build_script_reproduces_the_packaged_data(build_script: ModuleType) -> None:
    built: dict[str, bytes] = build_script.build(SHARED_DATA)
    assert sorted(built) == sorted(
        p.name for p in PACKAGED.iterdir() if p.suffix in (".csv", ".gz")
    )
    for name, data in built.items():
        packaged = (PACKAGED / name).read_bytes()
        if name.endswith(".gz"):
            # The content first, for a clear message; then the container (gzip header
            # without name or time, so it too is the same on every run with this zlib).
            assert gzip.decompress(data) == gzip.decompress(packaged), f"{name}: content differs"
        assert data == packaged, f"{name}: rerun python scripts/build_reference.py"


def test_build_script_check_mode(build_script: ModuleType, tmp_path: Path) -> None:
    assert build_script.main(["--source", str(SHARED_DATA), "--check"]) == 0
    assert build_script.main(["--source", str(SHARED_DATA), "--out", str(tmp_path), "--check"]) == 1
    assert build_script.main(["--source", str(SHARED_DATA), "--out", str(tmp_path)]) == 0
    assert build_script.main(["--source", str(SHARED_DATA), "--out", str(tmp_path), "--check"]) == 0


def test_build_script_reports_a_missing_source(tmp_path: Path) -> None:
    assert _build_script().main(["--source", str(tmp_path), "--out", str(tmp_path)]) == 2


def test_lists_are_loaded_once_per_process() -> None:
    assert reference._fbi() is reference._fbi()
    assert reference._ice() is reference._ice()
    assert len(reference._fbi().entries) == 19166
