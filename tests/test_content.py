"""Value orientation, red-flag handling, fit reasons, negativity and job terms."""

from practice.judgment.content import analyze_content, job_terms
from practice.judgment.sentences import split_sentences


def _content(text: str, category: str | None, job_text: str | None = None):
    return analyze_content(text, split_sentences(text), category=category, job_text=job_text)


def test_specific_enthusiasm_and_an_offer_to_help_is_plus_one():
    ct = _content(
        "I've used your route-planning app for two years, and I'm excited by how you're adding "
        "live traffic data. I could help your team make the offline mode faster for drivers.",
        "fit",
    )
    assert ct.value_orientation == 1
    assert len(ct.fit_reasons) >= 1
    assert ct.negativity == ()


def test_generic_praise_is_neutral():
    ct = _content("You're a great company with a great culture. I'd love to join your team.", "fit")
    assert ct.value_orientation == 0


def test_money_and_any_job_are_minus_one():
    money = _content("Honestly, I need the money and this job pays better.", "fit")
    assert money.value_orientation == -1
    assert _content("I'll take any job at this point.", "fit").value_orientation == -1


def test_blaming_an_old_boss_is_minus_one_and_recorded_as_negativity():
    text = "I'm leaving because my boss is a micromanager. He never listens to anyone."
    ct = _content(text, "fit")
    assert ct.value_orientation == -1
    assert ct.negativity and "micromanager" in ct.negativity[0]
    assert all("micromanager" not in r for r in ct.fit_reasons)


def test_business_impact_inside_a_story_is_not_plus_one():
    text = "I rewrote the export, which saved the company 40 hours a month."
    ct = _content(text, "success-story")
    assert ct.value_orientation == 0
    assert ct.fit_reasons == ()  # only fit questions list reasons


def test_red_flag_constructive_even_when_brief():
    ct = _content(
        "I find it hard to delegate. I'm working on it by handing one task a week to a "
        "junior colleague.",
        "red-flag",
    )
    assert ct.red_flag_handling == "constructive"
    ct = _content(
        "I was fired for missing two deadlines. That was on me. Since then I keep a "
        "shared task board.",
        "red-flag",
    )
    assert ct.red_flag_handling == "constructive"


def test_red_flag_defensive_answers():
    for text in (
        "I'm a perfectionist, I just care too much about getting things right.",
        "I was let go, but my manager was unfair and never gave me a chance.",
        "I can't really think of a weakness.",
        "I'm so sorry, I know the gap looks terrible.",
    ):
        assert _content(text, "red-flag").red_flag_handling == "defensive", text


def test_red_flag_handling_is_none_for_other_categories():
    assert _content("I'm a perfectionist.", "fit").red_flag_handling is None
    assert _content("I'm a perfectionist.", None).red_flag_handling is None


JOB = """Data Analyst - Fresh Foods
We're hiring a data analyst to build dashboards in Tableau and write SQL queries for our stores.
You will work with stakeholders across supply chain and finance.
Requirements:
- 3+ years of experience with SQL and Tableau
- Experience with Python is a plus
- Clear communication with non-technical stakeholders
"""


def test_job_terms_pick_tools_and_repeated_phrases_deterministically():
    terms = job_terms(JOB)
    lowered = [t.lower() for t in terms]
    for expected in ("data analyst", "tableau", "sql", "python", "stakeholders"):
        assert expected in lowered
    for boilerplate in ("experience", "requirements", "years", "we're", "hiring"):
        assert boilerplate not in lowered
    assert job_terms(JOB) == terms


def test_job_terms_used_and_missed_with_light_stemming():
    ct = _content(
        "As a data analyst I built Tableau dashboards and met stakeholder groups weekly.",
        "success-story",
        job_text=JOB,
    )
    used = [t.lower() for t in ct.job_terms_used]
    missed = [t.lower() for t in ct.job_terms_missed]
    assert {"data analyst", "tableau", "stakeholders"} <= set(used)
    assert {"sql", "python"} <= set(missed)
    assert not set(used) & set(missed)


def test_no_job_text_means_no_terms():
    ct = _content("I built dashboards.", "fit")
    assert ct.job_terms_used == () and ct.job_terms_missed == ()


def test_apathy_and_keen_offers_are_recognised():
    bored = _content("Not much to say really. I'm just seeing what's out there.", "background")
    assert bored.value_orientation == -1
    keen = _content("I'd be keen to help with the rollout of your new stock system.", "closing")
    assert keen.value_orientation == 1


def test_feeling_terrible_about_ones_own_mistake_is_not_blame():
    ct = _content("I feel terrible about it, I made a mistake with a client order.", "red-flag")
    assert ct.negativity == ()
    assert ct.value_orientation == 0
    blame = _content("The client was terrible and kept changing their mind.", "red-flag")
    assert blame.negativity and blame.value_orientation == -1
