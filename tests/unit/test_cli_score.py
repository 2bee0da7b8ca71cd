"""`selector score`: the JSON contract, the table, and one message per bad input (exit 2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from selector.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "crm-tender"
CRM = ROOT / "criteria" / "crm_selection.yaml"


def run(*args: str):
    return CliRunner().invoke(main, ["score", *args])


def example_args(folder: Path = EXAMPLE) -> list[str]:
    return ["--criteria", str(CRM), "--bids", str(folder / "bids.csv"),
            "--scores", str(folder / "scores.csv"), "--consensus", str(folder / "consensus.csv"),
            "--rates", str(folder / "rates.csv")]


@pytest.fixture
def tender(tmp_path: Path) -> Path:
    """A writable copy of the example tender."""
    folder = tmp_path / "tender"
    shutil.copytree(EXAMPLE, folder)
    return folder


def test_json_has_the_contract_shape_and_ranks_the_example():
    result = run(*example_args(), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"template", "method", "currency", "ranking", "disqualified", "points"}
    assert (data["template"], data["method"], data["currency"]) == ("crm_selection", "mean", "CNY")
    first = data["ranking"][0]
    assert set(first) >= {"rank", "vendor", "total", "band", "groups", "bid_total"}
    assert set(first["groups"]) == {"strength", "functional", "solution", "after_sales", "price"}
    assert [r["rank"] for r in data["ranking"]] == sorted(r["rank"] for r in data["ranking"])
    totals = [r["total"] for r in data["ranking"]]
    assert totals == sorted(totals, reverse=True)
    assert isinstance(first["bid_total"], str) and first["bid_total"].count(".") == 1
    # the example's Delta Systems fails the no-violation gate, 3 of 5
    assert data["disqualified"] == [
        {"vendor": "Delta Systems", "criterion": "no_violation", "fails": 3, "of": 5,
         "by_consensus": False, "reason": ""}
    ]
    assert "Delta Systems" not in [r["vendor"] for r in data["ranking"]]
    # the consensus on Everbright's mobile item sets it to partial = 3 points
    assert data["points"]["Everbright"]["mobile"] == 3.0


def test_the_json_fingerprint_is_that_of_the_input_read_in_process():
    """`selector score` computes the fingerprint in a forked child: it must be the input's."""
    from selector.files.readers import load_evaluation_input
    from selector.scoring.serialize import fingerprint

    data = json.loads(run(*example_args(), "--json").output)
    inp = load_evaluation_input(
        CRM, EXAMPLE / "bids.csv", EXAMPLE / "scores.csv", EXAMPLE / "consensus.csv",
        rates_file=EXAMPLE / "rates.csv",
    )
    assert data["fingerprint"] == fingerprint(inp)
    assert len(data["fingerprint"]) == 64


def test_group_scores_add_up_to_the_total_within_rounding():
    data = json.loads(run(*example_args(), "--json").output)
    for row in data["ranking"]:
        assert abs(sum(row["groups"].values()) - row["total"]) <= 0.03


def test_usd_bids_are_converted_at_the_given_rate(tender: Path):
    base = json.loads(run(*example_args(tender), "--json").output)
    doubled = json.loads(run(*example_args(tender), "--rate", "USD=14.2", "--json").output)
    bid = {r["vendor"]: float(r["bid_total"]) for r in base["ranking"]}
    bid2 = {r["vendor"]: float(r["bid_total"]) for r in doubled["ranking"]}
    assert bid2["BlueRiver CRM"] == pytest.approx(2 * bid["BlueRiver CRM"], rel=1e-6)
    assert bid2["Aurora Cloud"] == bid["Aurora Cloud"]


@pytest.mark.parametrize("lang,words", [("en", ["Rank", "Vendor", "Total", "Disqualified"]),
                                        ("zh", ["排名", "供应商", "总分", "被取消资格"])])
def test_table_is_printed_in_the_chosen_language(lang, words):
    result = run(*example_args(), "--lang", lang)
    assert result.exit_code == 0, result.output
    for word in words:
        assert word in result.output
    assert "Aurora Cloud" in result.output


def test_methods_change_the_aggregation():
    means = json.loads(run(*example_args(), "--json").output)
    medians = json.loads(run(*example_args(), "--method", "median", "--json").output)
    assert medians["method"] == "median"
    assert means["points"] != medians["points"]


def _bad(tender: Path, name: str, text: str, *extra: str):
    (tender / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["score", *example_args(tender), *extra])
    return result


def _append(tender: Path, name: str, line: str) -> int:
    path = tender / name
    content = path.read_text(encoding="utf-8")
    path.write_text(content.rstrip("\n") + "\n" + line + "\n", encoding="utf-8")
    return content.rstrip("\n").count("\n") + 2  # the new line's number


@pytest.mark.parametrize(
    ("name", "line", "expected"),
    [
        ("scores.csv", "evaluator1,Aurora Cloud,mobiel,full,", ["column 'criterion'", "mobiel"]),
        ("scores.csv", "evaluator9,Aurora Cloud,mobile,excellent,", ["'excellent'",
                                                                    "full / partial / none"]),
        ("scores.csv", "evaluator1,Aurora Cloud,mobile,none,dup", ["already scored"]),
        ("scores.csv", "evaluator9,Aurora Cloud,licence,full,", ["price rule"]),
        ("bids.csv", "Aurora Cloud,hosting,12,CNY", ["already bid"]),
        ("bids.csv", "Zeta,licence,-5,CNY", ["value '-5'", "greater than zero"]),
        ("bids.csv", "Zeta,licence,0,CNY", ["greater than zero"]),
        ("bids.csv", "Zeta,licence,nan,CNY", ["value 'nan'", "not a number"]),
        ("bids.csv", "Zeta,licence,inf,CNY", ["not a number"]),
        ("bids.csv", "Zeta,licence,abc,CNY", ["not a number"]),
        ("bids.csv", "Zeta,licence,100,GBP", ["GBP", "no exchange rate"]),
        ("bids.csv", "Zeta,licenc,100,CNY", ["column 'component'", "licenc"]),
        ("consensus.csv", "Nobody,mobile,full,why", ["unknown vendor"]),
        ("consensus.csv", "Aurora Cloud,mobile,3,why", ["value '3': not a value of this"]),
    ],
)
def test_bad_input_exits_2_naming_file_line_column_and_value(tender, name, line, expected):
    number = _append(tender, name, line)
    result = CliRunner().invoke(main, ["score", *example_args(tender), "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{name}:{number}" in result.stderr
    for fragment in expected:
        assert fragment in result.stderr


def test_a_missing_bid_and_a_cell_nobody_scored_are_errors(tender: Path):
    bids = (tender / "bids.csv").read_text(encoding="utf-8").splitlines()
    (tender / "bids.csv").write_text(
        "\n".join(line for line in bids if not line.startswith("Aurora Cloud,hosting")) + "\n",
        encoding="utf-8")
    scores = (tender / "scores.csv").read_text(encoding="utf-8").splitlines()
    (tender / "scores.csv").write_text(
        "\n".join(line for line in scores if ",华云软件,im," not in line) + "\n", encoding="utf-8")
    result = run(*example_args(tender), "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "vendor 'Aurora Cloud' has no bid for price criterion 'hosting'" in result.stderr
    assert "no evaluator scored vendor '华云软件' on criterion 'im'" in result.stderr


def test_scale_values_out_of_range_nan_and_off_step_are_refused(tmp_path: Path):
    ratio = ROOT / "criteria" / "crm_selection_ratio.yaml"
    (tmp_path / "bids.csv").write_text("vendor,component,amount\nA,total_cost,100\n")
    (tmp_path / "scores.csv").write_text(
        "evaluator,vendor,criterion,value\n"
        "e1,A,understanding,7\ne1,A,analytics,nan\ne1,A,supply_chain,0.3\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", "--criteria", str(ratio), "--bids",
                                       str(tmp_path / "bids.csv"), "--scores",
                                       str(tmp_path / "scores.csv")])
    assert result.exit_code == 2
    assert "scores.csv:2: column 'value': value '7': out of range" in result.stderr
    assert "scores.csv:3: column 'value': value 'nan': not finite" in result.stderr
    assert "scores.csv:4: column 'value': value '0.3': not on the step" in result.stderr


def test_a_missing_column_is_named(tender: Path):
    result = _bad(tender, "bids.csv", "vendor,amount\nA,1\n")
    assert result.exit_code == 2
    assert "bids.csv:1: missing column(s) component" in result.stderr


def test_a_bad_rate_option_is_refused(tender: Path):
    result = run(*example_args(tender), "--rate", "USD=-1")
    assert result.exit_code == 2 and "--rate 'USD=-1'" in result.stderr


def test_names_the_export_neutralised_read_back_as_typed(tmp_path: Path):
    """The export writes '=Evil for a name starting with =; reading it back gives =Evil."""
    criteria = tmp_path / "small.yaml"
    criteria.write_text(
        "id: small\ntitle: {zh: 小, en: Small}\ncurrency: CNY\ngroups:\n"
        "  - id: fit\n    title: {zh: 功能, en: Fit}\n    weight: 60\n    criteria:\n"
        "      - {id: mobile, kind: tiered, max: 5, title: {zh: 移动, en: Mobile}}\n"
        "  - id: price\n    title: {zh: 价格, en: Price}\n    weight: 40\n    criteria:\n"
        "      - {id: cost, kind: price_ratio, max: 40, title: {zh: 费用, en: Cost}}\n",
        encoding="utf-8",
    )
    outputs = []
    for prefix in ("", "'"):
        folder = tmp_path / f"copy{len(outputs)}"
        folder.mkdir()
        (folder / "bids.csv").write_text(
            f"vendor,component,amount\n{prefix}=Evil,cost,100\nGood,cost,120\n",
            encoding="utf-8",
        )
        (folder / "scores.csv").write_text(
            "evaluator,vendor,criterion,value\n"
            f"{prefix}-e1,{prefix}=Evil,mobile,full\ne2,{prefix}=Evil,mobile,partial\n"
            f"{prefix}-e1,Good,mobile,none\ne2,Good,mobile,full\n",
            encoding="utf-8",
        )
        result = run("--criteria", str(criteria), "--bids", str(folder / "bids.csv"),
                     "--scores", str(folder / "scores.csv"), "--json")
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(result.output))
    assert outputs[1] == outputs[0]
    assert [r["vendor"] for r in outputs[0]["ranking"]] == ["=Evil", "Good"]
