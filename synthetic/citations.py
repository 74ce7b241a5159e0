"""Draw which guidelines each party relied on for one request, and word them as letters do.

Two wordings exist (see ../shared/letter-formats.md): 2014+ letters write sentences
"Decision based on MTUS <guideline> <year>, Section(s): ..." / "Decision based on Non-MTUS
Citation ...", while 2013 notices and professional reviews write prose ("based its decision
on the Chronic Pain Medical Treatment Guidelines (2009), pages 74-96, which are part of the
MTUS"). The ground-truth fields (source, guideline, sections, pages) follow the parser's
normalisation: MTUS guideline with its year, ODG canonical chapter, first author of a study,
host of a URL.
"""

from __future__ import annotations

import random
from datetime import date

from indexer.records import Citation, Party
from synthetic import vocabulary as V

__all__ = ["CitationMaker", "party_name"]

MODERN = "modern"
PROSE = "prose"

# (claims administrator, reviewer) weights for: cited nothing, MTUS only, non-MTUS only, both.
_PATTERN_WEIGHTS: dict[Party, tuple[int, int, int, int]] = {
    "claims_administrator": (14, 45, 26, 15),
    "reviewer": (3, 64, 25, 8),
}
_CHRONIC_PAIN_2016 = date(2016, 7, 1)
_REGION_CATEGORIES = {
    V.SURGERY,
    V.INJECTION,
    V.IMAGING,
    V.PHYSICAL_THERAPY,
    V.CHIROPRACTIC,
    V.ACUPUNCTURE,
    V.DME,
    V.CONSULTATION,
}
_LEAD = "Decision based on Non-MTUS Citation "


def party_name(party: Party, professional: bool = False) -> str:
    """How a letter names the party in its guideline paragraph."""
    if party == "claims_administrator":
        return "The Claims Administrator"
    return "The professional reviewer" if professional else "The Expert Reviewer"


class CitationMaker:
    """Citations for one item at a time, drawn from the letter factory's random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def for_item(
        self,
        category: str,
        drug_class: str | None,
        region: V.Region,
        decided: date,
        style: str,
        parties: tuple[Party, ...],
        professional: bool = False,
    ) -> tuple[tuple[Citation, ...], tuple[Party, ...]]:
        """(citations in reading order, parties that cited nothing)."""
        rng = self.rng
        citations: list[Citation] = []
        nothing: list[Party] = []
        for party in parties:
            weights = _PATTERN_WEIGHTS[party]
            roll = rng.randrange(sum(weights))
            if roll < weights[0]:
                nothing.append(party)
                continue
            if style == PROSE and party == "reviewer" and citations and rng.random() < 0.3:
                # 2013: "The Expert Reviewer found the guideline used by the Claims
                # Administrator relevant and appropriate": the same guidelines, reviewer's.
                text = (
                    "The Expert Reviewer found the guideline used by the Claims Administrator "
                    "relevant and appropriate for this request."
                )
                citations += [
                    Citation("reviewer", c.source, c.mtus, c.guideline, text, c.sections, c.pages)
                    for c in list(citations)
                ]
                continue
            roll -= weights[0]
            want_mtus = roll < weights[1] or roll >= weights[1] + weights[2]
            want_other = roll >= weights[1]
            who = party_name(party, professional)
            if want_mtus:
                make = self._mtus_prose if style == PROSE else self._mtus
                citations += make(party, who, category, drug_class, region, decided)
            if want_other:
                make_other = self._other_prose if style == PROSE else self._other
                citations.append(make_other(party, who, category, drug_class, region, decided))
        return tuple(citations), tuple(nothing)

    # -- MTUS ------------------------------------------------------------------------------

    def _mtus(
        self,
        party: Party,
        who: str,
        category: str,
        drug_class: str | None,
        region: V.Region,
        decided: date,
    ) -> list[Citation]:
        rng = self.rng
        key = drug_class or category
        if (decided.year < 2015 and rng.random() < 0.6) or rng.random() < 0.04:
            # Older wording: "Decision based on MTUS ACOEM Chapter 12 ... Page(s): 308-310."
            if key in V.CHRONIC_PAIN_PAGES and (drug_class or rng.random() < 0.5):
                written, guideline = (
                    "Chronic Pain Medical Treatment Guidelines",
                    ("Chronic Pain Medical Treatment"),
                )
                pages = rng.choice(V.CHRONIC_PAIN_PAGES[key])
            else:
                written = guideline = f"ACOEM {region.acoem_old[0]}"
                pages = rng.choice(region.acoem_old[1])
            text = f"Decision based on MTUS {written} Page(s): {pages}."
            return [Citation(party, "MTUS", True, guideline, text, (), pages)]
        first = self._modern_guideline(key, category, drug_class, region, decided)
        picked = [first]
        if drug_class == V.TOPICAL and decided >= _CHRONIC_PAIN_2016 and rng.random() < 0.15:
            # One sentence naming two guidelines ("..., and Opioid Treatment 2016, ...").
            picked.append(("Opioid Treatment 2016", (rng.choice(V.OPIOID_SECTIONS),)))
        parts = []
        for guideline, sections in picked:
            part = guideline + (", Section(s): " + ", ".join(sections) if sections else "")
            parts.append(part)
        text = "Decision based on MTUS " + ", and ".join(parts) + "."
        return [Citation(party, "MTUS", True, g, text, s, None) for g, s in picked]

    def _modern_guideline(
        self, key: str, category: str, drug_class: str | None, region: V.Region, decided: date
    ) -> tuple[str, tuple[str, ...]]:
        rng = self.rng
        chronic_year = 2016 if decided >= _CHRONIC_PAIN_2016 else 2009
        sections: tuple[str, ...]
        if drug_class == V.OPIOID and chronic_year == 2016 and rng.random() < 0.5:
            name, year = "Opioid Treatment", 2016
            sections = (rng.choice(V.OPIOID_SECTIONS),)
        elif key in V.GENERAL_MTUS and rng.random() < 0.5:
            name, year, pool = rng.choice(V.GENERAL_MTUS[key])
            sections = (rng.choice(pool),) if pool else ()
        elif key in V.CHRONIC_PAIN_SECTIONS and (drug_class or rng.random() < 0.55):
            name, year = "Chronic Pain Medical Treatment", chronic_year
            pool = V.CHRONIC_PAIN_SECTIONS[key]
            sections = tuple(rng.sample(pool, 2 if len(pool) > 1 and rng.random() < 0.2 else 1))
        else:
            name, year, pool = region.mtus
            if name == "Chronic Pain Medical Treatment":
                year = chronic_year
            wanted = V.REGION_SECTION_BY_CATEGORY.get(category)
            sections = (wanted if wanted in pool and rng.random() < 0.8 else rng.choice(pool),)
        if rng.random() < 0.25 or category == V.OTHER:
            sections = ()  # (an "other" request cites no section the classifier would read)
        return f"{name} {year}", sections

    def _mtus_prose(
        self,
        party: Party,
        who: str,
        category: str,
        drug_class: str | None,
        region: V.Region,
        decided: date,
    ) -> list[Citation]:
        """2013 wording: a named MTUS guideline (year in brackets) or an ACOEM chapter."""
        rng = self.rng
        key = drug_class or category
        verb = rng.choice(("based its decision on", "relied on", "cited"))
        if key in V.CHRONIC_PAIN_PAGES and (drug_class or rng.random() < 0.5):
            pages = rng.choice(V.CHRONIC_PAIN_PAGES[key])
            label = "pages" if "-" in pages else "page"
            text = (
                f"{who} {verb} the Chronic Pain Medical Treatment Guidelines (2009), {label} "
                f"{pages}, which are part of the MTUS."
            )
            guideline = "Chronic Pain Medical Treatment 2009"
        elif key in V.GENERAL_MTUS and rng.random() < 0.4:
            name, year, _ = rng.choice(V.GENERAL_MTUS[key])
            if name == "Acupuncture Treatment":
                name, year = "Acupuncture Medical Treatment", 2009
            pages = None
            text = f"{who} {verb} the MTUS {name} Guidelines ({year}), which are part of the MTUS."
            guideline = f"{name} {year}"
        else:
            chapter = region.acoem_old[0]  # "Chapter 12 Low Back Complaints"
            number = chapter.split()[1]
            pages = rng.choice(region.acoem_old[1])
            text = (
                f"{who} {verb} the American College of Occupational and Environmental "
                f"Medicine (ACOEM) Practice Guidelines, 2nd Edition (2004), Chapter {number}, "
                f"pages {pages}, which are part of the MTUS."
            )
            guideline = f"ACOEM {chapter}"
        return [Citation(party, "MTUS", True, guideline, text, (), pages)]

    # -- outside the MTUS ------------------------------------------------------------------

    def _odg(
        self, category: str, drug_class: str | None, region: V.Region
    ) -> tuple[str, str, str | None]:
        """(canonical chapter, chapter as written, topic or None)."""
        rng = self.rng
        if drug_class or category not in _REGION_CATEGORIES:
            chapter = V.ODG_GENERAL_CHAPTER.get(category, "Pain")
        else:
            chapter = region.odg
        written = rng.choice(V.ODG_CHAPTER_FORMS[chapter])
        topics = V.ODG_TOPICS.get(drug_class or category, ())
        topic = rng.choice(topics) if topics and rng.random() < 0.75 else None
        return chapter, written, topic

    def _other(
        self,
        party: Party,
        who: str,
        category: str,
        drug_class: str | None,
        region: V.Region,
        decided: date,
    ) -> Citation:
        rng = self.rng
        roll = rng.random()
        if roll < 0.8:
            chapter, written, topic = self._odg(category, drug_class, region)
            name = rng.choice(
                (
                    "Official Disability Guidelines (ODG),",
                    "Official Disability Guidelines (ODG)",
                    "ODG",
                )
            )
            text = f"{_LEAD}{name} {written}"
            if topic:
                text += f", {topic}"
            if rng.random() < 0.3:
                updated = date.fromordinal(decided.toordinal() - rng.randint(30, 400))
                text += f" (updated {updated.month}/{updated.day}/{updated.year % 100:02d})"
            return Citation(
                party, "ODG", False, chapter, text + ".", (topic,) if topic else (), None
            )
        key = drug_class or category
        if roll < 0.9:
            study = self._study(key, category, region)
            lead = "study by " if rng.random() < 0.4 else ""
            text = f"{_LEAD}{lead}{study.authors}. {study.title}. {study.journal}."
            return Citation(party, "other", False, study.label, text, (), None)
        if roll < 0.96:
            pool = V.MONOGRAPHS[V.MEDICATION if drug_class else "any"]
            written, label, pages = rng.choice(pool)
            return Citation(party, "other", False, label, f"{_LEAD}{written}.", (), pages)
        url = self._url(key, category, drug_class)
        return Citation(party, "other", False, _host(url), f"{_LEAD}{url}", (), None)

    def _other_prose(
        self,
        party: Party,
        who: str,
        category: str,
        drug_class: str | None,
        region: V.Region,
        decided: date,
    ) -> Citation:
        rng = self.rng
        roll = rng.random()
        verb = rng.choice(("based its decision on", "relied on", "cited"))
        if roll < 0.8:
            chapter, written, topic = self._odg(category, drug_class, region)
            text = f"{who} {verb} the Official Disability Guidelines (ODG), {written}"
            if topic:
                text += f", {topic}"
            text += ", which is not part of the MTUS."
            return Citation(party, "ODG", False, chapter, text, (topic,) if topic else (), None)
        key = drug_class or category
        if roll < 0.9:
            study = self._study(key, category, region)
            text = (
                f"{who} {verb} a study by {study.authors} in {study.journal}, which is not "
                "part of the MTUS."
            )
            return Citation(party, "other", False, study.label, text, (), None)
        url = self._url(key, category, drug_class)
        text = f"{who} {verb} {url}, which is not part of the MTUS."
        return Citation(party, "other", False, _host(url), text, (), None)

    def _study(self, key: str, category: str, region: V.Region) -> V.Study:
        if key in V.STUDIES:
            topic = key
        elif category in V.STUDIES:
            topic = category
        else:
            topic = "spine" if region.levels else "joint"
        return self.rng.choice(V.STUDIES[topic])

    def _url(self, key: str, category: str, drug_class: str | None) -> str:
        pool = (
            V.URLS.get(key) or V.URLS.get(V.MEDICATION if drug_class else category) or V.URLS["any"]
        )
        return self.rng.choice(pool)


def _host(url: str) -> str:
    """'https://www.cdc.gov/x' -> 'cdc.gov' (a URL citation's facet label)."""
    host = url.split("://", 1)[-1].split("/", 1)[0].lower()
    return host[4:] if host.startswith("www.") else host
