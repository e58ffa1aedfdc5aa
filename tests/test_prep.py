"""Job prep: requirement extraction, story coverage, questions, the plan, the CLI, and the
evaluation on the labelled postings in tests/data/prep (the figures of scripts/eval_prep.py)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from practice.cli.main import cli
from practice.journey import prep
from practice.journey.prep_eval import evaluate, load_stories
from practice.journey.questions import load_bank

DATA = Path(__file__).parent / "data" / "prep"
TARGET = 0.85  # precision and recall of the covered / uncovered decisions

POSTING = """Data Analyst - Brightwater Utilities

Brightwater supplies water to 2 million homes. We are proud of our friendly culture.

What you will do
- Build dashboards in Tableau for the operations team
- Explain findings to non-technical managers
- Mentor junior analysts

Requirements
* Experience with Python and SQL
* Full UK driving licence

You must be comfortable presenting to senior leaders.

Benefits
- 28 days holiday
- Experience days for the team
"""


def test_extract_requirements_takes_bullets_and_cue_sentences_only():
    reqs = prep.extract_requirements(POSTING)
    texts = [r.text for r in reqs]
    assert texts == [
        "Build dashboards in Tableau for the operations team",
        "Explain findings to non-technical managers",
        "Mentor junior analysts",
        "Experience with Python and SQL",
        "Full UK driving licence",
        "Comfortable presenting to senior leaders",
    ]
    kinds = {r.text: r.kind for r in reqs}
    assert kinds["Full UK driving licence"] == "condition"
    assert kinds["Mentor junior analysts"] == "skill"
    assert "mentoring" in next(r for r in reqs if r.text.startswith("Mentor")).skills


def test_nice_to_have_is_marked_and_its_qualifier_trimmed():
    [r] = prep.extract_requirements("Title\n\n- Experience with SEO is a plus\n")
    assert r.text == "Experience with SEO" and r.nice_to_have


def _story(id_, title, actions, result="", skills=()):
    from practice.journey.stories import Story, complete

    return complete(
        Story(id=id_, title=title, actions=actions, result=result, skills=tuple(skills))
    )


STORIES = [
    _story(
        1,
        "Tableau dashboards for operations",
        "I built Tableau dashboards for the operations team and trained them to use them.",
        "Report time fell by 80 percent.",
        skills=("analysis", "communication"),
    ),
    _story(
        2,
        "Mentoring two junior analysts",
        "I mentored two junior analysts with weekly code reviews.",
        "Both now run their own projects.",
    ),
]


def test_cover_maps_requirements_to_stories_with_strength_and_reason():
    result = prep.prepare(POSTING, STORIES, [])
    by_text = {c.requirement.text: c for c in result.requirements}
    dash = by_text["Build dashboards in Tableau for the operations team"]
    assert dash.covered and dash.matches[0].story_id == 1
    assert 0 < dash.matches[0].strength <= 1
    assert "Tableau" in dash.matches[0].reason
    assert by_text["Mentor junior analysts"].matches[0].story_id == 2
    # A named tool no story mentions is a gap, with advice.
    python = by_text["Experience with Python and SQL"]
    assert not python.covered and python.advice
    # A condition is stated, not shown with a story; it does not count against coverage.
    licence = by_text["Full UK driving licence"]
    assert not licence.covered and "credential" in (licence.advice or "")
    showable = [c for c in result.requirements if c.requirement.kind != "condition"]
    assert result.coverage == pytest.approx(sum(c.covered for c in showable) / len(showable))


def test_uncovered_advice_adapts_a_near_story_or_asks_for_a_new_one():
    result = prep.prepare(POSTING, STORIES, [])
    advice = {c.requirement.text: c.advice for c in result.requirements}
    assert advice["Experience with Python and SQL"].startswith("Find a new story")
    near = [a for a in advice.values() if a and a.startswith("Adapt story #")]
    assert near, advice  # "Explain findings..." is near the dashboards story (trained them)


def test_questions_come_from_the_bank_and_from_the_requirements():
    bank = load_bank()
    result = prep.prepare(POSTING, STORIES, bank)
    bank_ids = {q.question_id for q in result.questions if q.source == "bank"}
    assert bank_ids and bank_ids <= {q.id for q in bank}
    mentoring = [q for q in bank if "mentoring" in q.tags]
    assert {q.id for q in mentoring} & bank_ids
    own = [q.text for q in result.questions if q.source == "requirement"]
    assert "Tell me about a time you had to mentor junior analysts." in own
    assert not any("licence" in t for t in own)  # no story question about a condition


@pytest.mark.parametrize(
    ("requirement", "question"),
    [
        (
            "Ability to stay calm under pressure",
            "Tell me about a time you had to stay calm under pressure.",
        ),
        (
            "Experience with Kubernetes and AWS",
            "Tell me about a time you used your experience with Kubernetes and AWS.",
        ),
        (
            "5+ years of experience in B2B sales",
            "Tell me about a time you used your experience in B2B sales.",
        ),
        ("A history of exceeding quota", "Tell me about a time you exceeded quota."),
        ("2+ years managing people", "Tell me about a time you managed people."),
        ("Proven track record of closing deals", "Tell me about a time you closed deals."),
        (
            "Building, testing and shipping APIs",
            "Tell me about a time you built, tested and shipped APIs.",
        ),
        (
            "Resilience: you bounce back from rejection",
            "Tell me about a time you showed resilience.",
        ),
        (
            "Design, build and operate Python services",
            "Tell me about a time you had to design, build and operate Python services.",
        ),
        (
            "Comfortable working with product managers to break down ambiguous problems",
            "Tell me about a time you worked with product managers to break down ambiguous "
            "problems.",
        ),
    ],
)
def test_time_question_reads_as_a_question(requirement, question):
    assert prep.time_question(requirement) == question


def test_plan_pairs_stories_with_questions_and_their_record():
    result = prep.prepare(POSTING, STORIES, load_bank())
    plan = {p.story_id: p for p in result.plan}
    assert set(plan) == {1, 2}
    assert any("mentor" in q.lower() for q in plan[2].questions)
    assert "not rehearsed yet" in plan[1].note


def test_json_shape_and_html_is_self_contained():
    result = prep.prepare(POSTING, STORIES, load_bank())
    doc = result.to_dict()
    assert 0 <= doc["coverage"] <= 1
    for r in doc["requirements"]:
        assert {"text", "covered", "stories"} <= set(r)
        for s in r["stories"]:
            assert {"id", "title", "strength"} <= set(s)
    assert doc["questions"] and all("text" in q for q in doc["questions"])
    page = prep.render_html(result, title="Prep <Data Analyst>")
    assert "<style>" in page and "Prep &lt;Data Analyst&gt;" in page
    for external in ("<script", "<link", "src=", "http://", "https://", "@import"):
        assert external not in page


def test_html_escapes_markup_from_the_posting_and_the_stories():
    posting = POSTING.replace(
        "Mentor junior analysts", 'Mentor junior analysts <img src=x onerror="alert(1)">'
    )
    stories = [
        *STORIES,
        _story(3, "<script>alert(2)</script> & mentoring", "I mentored junior analysts weekly."),
    ]
    result = prep.prepare(posting, stories, load_bank())
    assert any("<img" in c.requirement.text for c in result.requirements)
    assert any(p.title.startswith("<script>") for p in result.plan)
    page = prep.render_html(result, title="Prep")
    assert "<img" not in page and "<script" not in page
    assert "&lt;img src=x onerror=" in page  # in the requirements table and the questions
    assert "&lt;script&gt;alert(2)&lt;/script&gt; &amp; mentoring" in page
    # The page's own markup is not escaped.
    assert '<span class="ok">covered</span>' in page and "<h2>Practice plan</h2>" in page


def test_cli_prep_json_and_html(tmp_path):
    home = tmp_path / "home"
    runner = CliRunner()
    story = (
        "At my last job the weekly report took four hours. My goal was to automate it. "
        "I built Tableau dashboards for the operations team. As a result the report time "
        "fell by 80 percent."
    )
    r = runner.invoke(cli, ["--home", str(home), "stories", "add", "--text", "-"], input=story)
    assert r.exit_code == 0, r.output
    job = tmp_path / "job.txt"
    job.write_text(POSTING)
    page = tmp_path / "prep.html"
    r = runner.invoke(
        cli, ["--home", str(home), "prep", "--job", str(job), "--json", "--html", str(page)]
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    dash = next(x for x in doc["requirements"] if "Tableau" in x["text"])
    assert dash["covered"] and dash["stories"][0]["id"] == 1
    assert page.read_text().startswith("<!doctype html>")
    r = runner.invoke(cli, ["--home", str(home), "prep", "--job", str(tmp_path / "none.txt")])
    assert r.exit_code == 1 and "No such file" in r.output
    r = runner.invoke(cli, ["--home", str(home), "prep", "--job", "-"], input="Hello\n")
    assert r.exit_code == 1 and "no requirements" in r.output.lower()


def test_evaluation_data_is_complete():
    cases = [d for d in DATA.iterdir() if (d / "expected.json").exists()]
    assert len(cases) >= 4
    held_out = [d for d in cases if json.loads((d / "expected.json").read_text())["held_out"]]
    assert {d.name for d in held_out} >= set(HELD_OUT)
    for d in cases:
        assert 6 <= len(load_stories(d / "stories.json")) <= 10


@pytest.fixture(scope="module")
def figures():
    return evaluate(DATA)


@pytest.mark.parametrize("group", ["tuning", "overall"])
def test_covered_decisions_meet_the_target(figures, group):
    s = figures[group]
    assert s["not_extracted"] == 0
    assert s["covered"]["precision"] >= TARGET, s
    assert s["covered"]["recall"] >= TARGET, s


def test_uncovered_decisions_meet_the_target_on_the_tuning_postings(figures):
    s = figures["tuning"]
    assert s["uncovered"]["precision"] >= TARGET, s
    assert s["uncovered"]["recall"] >= TARGET, s


# Each held-out posting must meet the target on its own: pooled, a good one can hide a poor one.
# marketing was held out while the matcher was first built, then its misses were looked at to
# write the general fixes (stemming, CONCEPTS, derived forms, related skills), so it is no longer
# blind. finance was written afterwards with its labels set before the matcher first ran on it,
# and has not been tuned on.
HELD_OUT = {
    "marketing": (),
    "finance": (
        pytest.mark.xfail(
            strict=True,
            reason=(
                "Known miss, blind: on the finance posting the matcher finds 10 of 13 covered "
                "requirements (covered recall 0.77, uncovered precision 0.62). Not tuned on; "
                "remove this mark once a general fix makes it pass."
            ),
        ),
    ),
}


@pytest.mark.parametrize(
    "case", [pytest.param(name, marks=marks) for name, marks in HELD_OUT.items()]
)
def test_held_out_posting_meets_the_target(figures, case):
    s = figures["cases"][case]
    assert s["held_out"] and s["not_extracted"] == 0
    for cls in ("covered", "uncovered"):
        assert s[cls]["precision"] >= TARGET, s
        assert s[cls]["recall"] >= TARGET, s


def test_overall_uncovered_decisions_meet_the_target(figures):
    s = figures["overall"]
    assert s["uncovered"]["recall"] >= TARGET, s
    assert s["uncovered"]["precision"] >= TARGET, s


def _strength(requirement: str, story) -> float:
    index = prep._Index([story])
    [r] = prep.extract_requirements(f"Title\n\n- {requirement}\n")
    return prep.match_story(r, index.words[0], index.skills[0], index, story).strength


def test_irregular_and_plural_forms_meet_the_posting_word():
    story = _story(9, "Newsletter", "I segmented the list.", "The list grew and open rates rose.")
    index = prep._Index([story])
    [r] = prep.extract_requirements("Title\n\n- Grow the mailing list and open rates\n")
    m = prep.match_story(r, index.words[0], index.skills[0], index, story)
    assert {"grow", "list", "open", "rates"} <= set(m.shared_terms)


def test_a_synonym_or_derived_form_counts_but_less_than_the_same_word():
    same = _story(1, "Quarter", "I built the quarterly calendar for the stores.")
    synonym = _story(1, "Quarter", "I built the quarterly timetable for the stores.")
    other = _story(1, "Quarter", "I built the quarterly forecast for the stores.")
    req = "Build the quarterly calendar for the stores"
    assert _strength(req, same) > _strength(req, synonym) > _strength(req, other)
    # "manager" is another form of "managing"; "many" is not.
    derived = _story(1, "People", "As their manager I held weekly one-to-ones.")
    unrelated = _story(1, "People", "As one of many I held weekly one-to-ones.")
    req = "Confident managing people"
    assert _strength(req, derived) > _strength(req, unrelated)


def test_a_related_skill_earns_part_of_the_skill_credit():
    assert prep._skill_score(("mentoring",), {"mentoring"}) == 1.0
    assert prep._skill_score(("mentoring",), {"leadership"}) == prep.RELATED_SKILL_CREDIT
    assert prep._skill_score(("mentoring",), {"efficiency"}) == 0.0


def test_concept_groups_do_not_overlap_by_accident():
    # A word in two groups would join them; each group should stand for one idea.
    seen: dict[str, int] = {}
    for i, group in enumerate(prep.CONCEPTS):
        for w in group:
            assert seen.setdefault(w, i) == i, (w, seen[w], i)


def test_an_activity_is_covered_only_by_a_story_that_shows_it():
    # "2+ years managing people": a story that merely mentions people does not show managing
    # them; one about managing a team does, in other words ("supervised" counts as managing).
    desk = _story(
        1, "Front desk rush", "I greeted people at the front desk and helped people find rooms."
    )
    lead = _story(2, "Support team", "I supervised four people and coached each of them weekly.")
    (requirement,) = prep.extract_requirements("Requirements:\n- 2+ years managing people")
    (c,) = prep.cover([requirement], [desk, lead])
    assert [m.story_id for m in c.matches] == [2]
    (c,) = prep.cover([requirement], [desk])
    assert not c.covered
    (people,) = prep.extract_requirements("Requirements:\n- Strong people skills")
    assert prep.cover([people], [desk])[0].covered  # a quality, not an activity: words suffice
