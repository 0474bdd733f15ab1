"""The container and encoding rules of spec §8.1, tried the way a forger would."""

from __future__ import annotations

import json
import shutil
import warnings
import zipfile
from pathlib import Path

import pytest

from secret_ballot import jsonfields as jf
from secret_ballot.errors import DecodingError, RecordFormatError, RecordRuleError
from secret_ballot.manifest import Contest, ContestKind, Manifest, Option
from secret_ballot.record import RECORD_FILES, parse_json
from secret_ballot.simulate import simulate
from secret_ballot.verify import Report, verify_record


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("format") / "rec"
    simulate(
        voters=4,
        options=3,
        trustees=3,
        threshold=2,
        out=out,
        seed=b"record-fixture",
        revote_per_mille=500,
        audit_per_mille=500,
    )
    return out


def _copy(record: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "copy"
    shutil.copytree(record, dst)
    return dst


def _invalid(report: Report, where: str, needle: str) -> None:
    assert report.exit_code == 1, report.render()
    found = [str(f) for f in report.failures if f.where == where and needle in f.message]
    assert found, report.render()


def _zip(directory: Path, out: Path, extra: tuple[tuple[str, bytes], ...] = ()) -> Path:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name in RECORD_FILES:
            z.writestr(name, (directory / name).read_bytes())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about a duplicate name
            for name, data in extra:
                z.writestr(name, data)
    return out


def test_the_fixture_verifies(record: Path) -> None:
    assert verify_record(record).ok


# --- repeated keys -----------------------------------------------------------


def test_repeated_key_in_a_ballot_line_is_refused(record: Path, tmp_path: Path) -> None:
    # {"ballot": A, "ballot": B, ...}: a first-wins reader counts A, a
    # last-wins reader counts B. Neither may be chosen: the line is refused.
    dst = _copy(record, tmp_path)
    lines = (record / "ballots.jsonl").read_bytes().splitlines()
    other = json.loads(lines[1])["ballot"]
    forged = b'{"ballot":' + jf.canonical_json(other) + b"," + lines[0][1:]
    (dst / "ballots.jsonl").write_bytes(b"\n".join([forged, *lines[1:]]) + b"\n")
    _invalid(verify_record(dst), "ballots.jsonl line 1", "duplicate key 'ballot'")


def test_repeated_count_in_the_tally_is_refused(record: Path, tmp_path: Path) -> None:
    # The last value is the true count, so a last-wins reader finds the
    # record valid while a first-wins reader reads another result.
    dst = _copy(record, tmp_path)
    text = (record / "tally.json").read_text()
    start = text.index('"count":') + len('"count":')
    end = start
    while text[end].isdigit():
        end += 1
    count = int(text[start:end])
    forged = f'{text[:start]}{count + 7},"count":{text[start:]}'
    (dst / "tally.json").write_text(forged)
    _invalid(verify_record(dst), "tally.json", "duplicate key 'count'")


def test_repeated_selection_in_an_audited_line_is_refused(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    lines = (record / "audited.jsonl").read_text().splitlines()
    forged = lines[0].replace('"selections":{', '"selections":{"choice":[0,0,1],', 1)
    assert forged != lines[0]
    (dst / "audited.jsonl").write_text("\n".join([forged, *lines[1:]]) + "\n")
    _invalid(verify_record(dst), "audited.jsonl line 1", "duplicate key 'choice'")


# --- canonical bytes ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(n for n in RECORD_FILES if n.endswith(".json")))
def test_json_file_not_in_canonical_form_is_refused(
    record: Path, tmp_path: Path, name: str
) -> None:
    # Same value, other bytes: pretty-printed, keys in another order.
    dst = _copy(record, tmp_path)
    value = json.loads((record / name).read_bytes())
    (dst / name).write_text(json.dumps(value, indent=1))
    _invalid(verify_record(dst), name, "canonical")
    (dst / name).write_bytes(jf.canonical_json(value) + b"\n")
    _invalid(verify_record(dst), name, "canonical")


@pytest.mark.parametrize(
    "rewrite",
    [
        lambda line: line.replace(b'{"ballot":', b'{ "ballot":', 1),
        lambda line: line + b"\r",
        lambda line: b"\xef\xbb\xbf" + line,
        lambda line: json.dumps(
            dict(reversed(json.loads(line).items())), separators=(",", ":")
        ).encode(),
    ],
    ids=["space", "carriage return", "byte order mark", "key order"],
)
def test_ballot_line_not_in_canonical_form_is_refused(
    record: Path, tmp_path: Path, rewrite
) -> None:
    dst = _copy(record, tmp_path)
    lines = (record / "ballots.jsonl").read_bytes().splitlines()
    forged = rewrite(lines[0])
    assert forged != lines[0]
    (dst / "ballots.jsonl").write_bytes(b"\n".join([forged, *lines[1:]]) + b"\n")
    _invalid(verify_record(dst), "ballots.jsonl line 1", "canonical")


def test_escaped_letter_in_a_line_is_not_canonical(record: Path, tmp_path: Path) -> None:
    # "\u0061" and "a" are the same string; only one spelling is allowed.
    dst = _copy(record, tmp_path)
    lines = (record / "ballots.jsonl").read_bytes().splitlines()
    value = json.loads(lines[0])
    tracker = value["tracker"]
    letter = next(c for c in tracker if c.isalpha())
    escaped = tracker.replace(letter, f"\\u{ord(letter):04x}", 1).encode()
    forged = lines[0].replace(tracker.encode(), escaped, 1)
    assert json.loads(forged) == value
    (dst / "ballots.jsonl").write_bytes(b"\n".join([forged, *lines[1:]]) + b"\n")
    _invalid(verify_record(dst), "ballots.jsonl line 1", "canonical")


def test_fraction_is_refused(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    text = (record / "tally.json").read_text()
    value = json.loads(text)
    value["ballots_cast"] = float(value["ballots_cast"])
    forged = json.dumps(value, separators=(",", ":"), sort_keys=True)
    assert forged != text
    (dst / "tally.json").write_text(forged)
    _invalid(verify_record(dst), "tally.json", "not an integer")


# --- exactly the listed files --------------------------------------------------


def test_extra_file_is_refused(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    (dst / "README.txt").write_text("read me first\n")
    _invalid(verify_record(dst), "README.txt", "not a file of the record")


def test_folder_is_refused(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    (dst / "extra").mkdir()
    (dst / "extra" / "ballots.jsonl").write_bytes((record / "ballots.jsonl").read_bytes())
    _invalid(verify_record(dst), "extra", "folder")


def test_link_is_refused(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    (dst / "tally.json").unlink()
    (dst / "tally.json").symlink_to(record / "tally.json")
    _invalid(verify_record(dst), "tally.json", "link")


# --- line feeds ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["ballots.jsonl", "audited.jsonl"])
def test_missing_final_line_feed_is_refused(record: Path, tmp_path: Path, name: str) -> None:
    dst = _copy(record, tmp_path)
    data = (record / name).read_bytes()
    assert data.endswith(b"\n")
    (dst / name).write_bytes(data[:-1])
    _invalid(verify_record(dst), name, "line feed")
    _invalid(verify_record(dst, jobs=2), name, "line feed")
    archive = _zip(dst, tmp_path / "rec.zip")
    _invalid(verify_record(archive), name, "line feed")


# --- zip ----------------------------------------------------------------------


def test_zip_of_the_listed_files_verifies(record: Path, tmp_path: Path) -> None:
    assert verify_record(_zip(record, tmp_path / "rec.zip")).ok


def test_zip64_members_are_accepted(record: Path, tmp_path: Path) -> None:
    out = tmp_path / "rec64.zip"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
        for name in RECORD_FILES:
            with z.open(name, "w", force_zip64=True) as member:
                member.write((record / name).read_bytes())
    assert verify_record(out).ok


def test_zip_with_a_second_member_of_the_same_name_is_refused(record: Path, tmp_path: Path) -> None:
    # unzip keeps one copy, Python's zipfile the other: a forger can show
    # each reader another board. Both copies here are valid on their own.
    lines = (record / "ballots.jsonl").read_bytes().splitlines(keepends=True)
    shorter = b"".join(lines[:-1])
    archive = _zip(record, tmp_path / "dup.zip", (("ballots.jsonl", shorter),))
    _invalid(verify_record(archive), "ballots.jsonl", "second member of the same name")


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ((("records/", b""),), "directory entry"),
        ((("records/ballots.jsonl", b""),), "not at the top level"),
        ((("tally.json.bak", b"{}"),), "not a file of the record"),
    ],
)
def test_zip_with_other_entries_is_refused(
    record: Path, tmp_path: Path, extra: tuple[tuple[str, bytes], ...], needle: str
) -> None:
    archive = _zip(record, tmp_path / "other.zip", extra)
    _invalid(verify_record(archive), extra[0][0], needle)


# --- ids, names, titles and labels --------------------------------------------


def _manifest(title: str = "Title", label: str = "Yes", election_id: str = "e-1") -> Manifest:
    options = (Option("yes", label), Option("no", "No"), Option("abstain", "Abstain"))
    contest = Contest("c", "Question", ContestKind.YES_NO_ABSTAIN, options, 1, 1, 1)
    return Manifest(election_id, title, (contest,))


BAD_TEXT = [
    ("right-to-left override", "Vote \u202eon"),
    ("left-to-right isolate", "Vote \u2066on\u2069"),
    ("zero-width space", "Vo\u200bte"),
    ("bell", "Vote\x07"),
    ("line feed", "Vote\nnow"),
    ("lone surrogate", "Vote \ud800"),
    ("private use", "Vote \ue000"),
    ("unassigned", "Vote \u0378"),
    ("empty", ""),
    ("too long", "a" * 1001),
]


@pytest.mark.parametrize(("why", "title"), BAD_TEXT)
def test_engine_refuses_to_build_a_manifest_with_a_bad_title(why: str, title: str) -> None:
    with pytest.raises(DecodingError):
        _manifest(title=title)
    with pytest.raises(DecodingError):
        _manifest(label=title)


@pytest.mark.parametrize(("why", "title"), BAD_TEXT)
def test_decoding_refuses_a_bad_title(why: str, title: str) -> None:
    value = _manifest().to_json()
    value["contests"][0]["options"][1]["label"] = title
    with pytest.raises(DecodingError) as info:
        Manifest.from_json(value)
    assert info.value.field == "manifest.contests[0].options[1].label"


def test_text_is_counted_in_code_points() -> None:
    # 1000 characters outside the BMP: 2000 UTF-16 units, 4000 bytes, allowed.
    assert len(_manifest(title="\U0001f5f3" * 1000).title) == 1000
    assert _manifest(title="Asamblea ñuqanchik, jiwasa: ¿sí o no?").title


@pytest.mark.parametrize("bad", ["", "-lead", "has space", "é", "a" * 65, "a/b", "a\n"])
def test_ids_follow_their_pattern(bad: str) -> None:
    with pytest.raises(DecodingError):
        _manifest(election_id=bad)
    value = _manifest().to_json()
    value["contests"][0]["options"][0]["option_id"] = bad
    with pytest.raises(DecodingError):
        Manifest.from_json(value)


def test_record_with_a_bidi_override_in_a_label_is_refused(record: Path, tmp_path: Path) -> None:
    dst = _copy(record, tmp_path)
    value = json.loads((record / "manifest.json").read_bytes())
    value["contests"][0]["options"][0]["label"] = "Option \u202e2 noitpO"
    (dst / "manifest.json").write_bytes(jf.canonical_json(value))
    _invalid(verify_record(dst), "manifest.json", "U+202E")


# --- the strict parser on its own ---------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        {"label": "Ñuñoa, ¿sí?", "n": 0},
        {"\ue000": 1, "\U0001f5f3": 2},  # JCS orders keys by UTF-16 code units
        [9007199254740991, "\u007f", "tab\tand\u0001"],
    ],
)
def test_canonical_bytes_are_accepted(value: object) -> None:
    data = jf.canonical_json(value)
    assert parse_json(data, "x") == value


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b'{"a":"\\u00f1"}', "canonical"),  # ñ escaped
        ('{"\ue000":1,"\U0001f5f3":2}'.encode(), "canonical"),  # code point order
        (b"[9007199254740992]", "beyond 2"),
        (b"[-9007199254740992]", "beyond 2"),
        (b"[-0]", "canonical"),
        (b"[1.0]", "not an integer"),
        (b"[1e2]", "not an integer"),
        (b'{"a":1,"a":1}', "duplicate key 'a'"),
        (b'{"b":{"a":1,"a":2}}', "duplicate key 'a'"),
    ],
)
def test_other_spellings_are_refused(data: bytes, needle: str) -> None:
    with pytest.raises(RecordRuleError, match=needle):
        parse_json(data, "x")


@pytest.mark.parametrize("data", [b"", b"{", b"[1,]", b"NaN", b"\xff"])
def test_non_json_is_unreadable(data: bytes) -> None:
    with pytest.raises(RecordFormatError):
        parse_json(data, "x")
