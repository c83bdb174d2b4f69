"""schema.org JobPosting data for search engines (Google's job search), built from a posting.

https://developers.google.com/search/docs/appearance/structured-data/job-posting
"""

import json
import re

from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from jobs.fulltext import description_html
from jobs.models import EmploymentType, Lifecycle, Requirement, SalaryPeriod
from jobs.richtext import plain_inline
from jobs.search import fold

EMPLOYMENT_TYPES = {
    EmploymentType.FULL_TIME: "FULL_TIME",
    EmploymentType.PART_TIME: "PART_TIME",
    EmploymentType.CONTRACT: "CONTRACTOR",
    EmploymentType.TEMPORARY: "TEMPORARY",
    EmploymentType.INTERNSHIP: "INTERN",
}
SALARY_UNITS = {
    SalaryPeriod.HOUR: "HOUR",
    SalaryPeriod.DAY: "DAY",
    SalaryPeriod.MONTH: "MONTH",
    SalaryPeriod.YEAR: "YEAR",
}
SKILLS = {Requirement.Kind.TECHNICAL_SKILL, Requirement.Kind.SOFT_SKILL}
QUALIFICATIONS = {Requirement.Kind.QUALIFICATION, Requirement.Kind.LANGUAGE}

# Google's credentialCategory values, and the words (folded: lower case, no accents) that name each in the
# posting languages, lowest level first: a requirement that names several levels asks for the lowest.
CREDENTIAL_CATEGORIES = {
    "high school": r"high school|secondary school|a-levels?|ged|baccalaureat|bac(?!\s*\+)|\w*abitur|matura|bachillerato"
    r"|secundaria",
    "associate degree": r"associate(?:['’]s)? degree|bac\s*\+\s*2|bts|dut|tecnico superior",
    "bachelor degree": r"bachelor\w*|undergraduate|licence|bac\s*\+\s*3|licenciatura|grado",
    "postgraduate degree": r"master(?:s|studium|abschluss)?|mba|ph\.?\s?d|doctora\w*|doktor\w*|postgraduate|bac\s*\+\s*5"
    r"|diplome d'ingenieur|maestria|posgrado|postgrado",
    "professional certificate": r"certificat\w*|certified|zertifi\w*|certificado|certificacion",
}
CREDENTIAL_PATTERNS = {
    category: re.compile(rf"\b(?:{words})\b", re.IGNORECASE) for category, words in CREDENTIAL_CATEGORIES.items()
}

# What json_script escapes, so that no text in the data can close the <script> element.
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def compact(data):
    """`data` without the keys whose value is empty (None, "", [], {}); False and 0 are kept."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def number(amount):
    """A Decimal as a JSON number: an integer when it is whole."""
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def postal_address(city, country):
    return compact({"@type": "PostalAddress", "addressLocality": city, "addressCountry": country.code})


def hiring_organization(company, language):
    """The company, described in `language` if it has a description in that language."""
    description = company.description_in(language)
    return compact(
        {
            "@type": "Organization",
            "identifier": company.slug,
            "name": company.name,
            "description": description.text if description else None,
            "sameAs": company.website,
            "logo": company.logo_url,
            "address": postal_address(company.city, company.country) if company.city or company.country else None,
        }
    )


def job_locations(posting):
    """A Place per office, main office first: one object for one office, a list for several, None for none."""
    places = [
        {"@type": "Place", "address": postal_address(office.city, office.country)} for office in posting.offices()
    ]
    return places[0] if len(places) == 1 else places or None


def in_posting_language(posting):
    """What schema.org cannot say as data, as text in the posting's language: working languages, visa, relocation.

    JobPosting has no property for the languages a job requires (inLanguage is the posting's own language,
    knowsLanguage belongs to a Person), so they are qualifications such as "German C1".
    """
    with translation.override(posting.language):
        return {
            "languages": [str(language) for language in posting.working_languages.all()],
            "visa": gettext("The company sponsors a work visa if one is needed.") if posting.visa_sponsorship else None,
            "relocation": [gettext("Relocation assistance")] if posting.relocation else [],
        }


def applicant_countries(posting):
    """The countries candidates of a remote role may work from, named in the posting's language."""
    with translation.override(posting.language):
        return [{"@type": "Country", "name": country.name} for country in posting.work_countries_by_name()]


def base_salary(posting):
    if not posting.has_salary:
        return None
    low, high = posting.salary_min, posting.salary_max
    if low is not None and low == high:
        amounts = {"value": number(low)}
    else:
        amounts = {
            "minValue": number(low) if low is not None else None,
            "maxValue": number(high) if high is not None else None,
        }
    value = compact({"@type": "QuantitativeValue", **amounts, "unitText": SALARY_UNITS.get(posting.salary_period)})
    return {"@type": "MonetaryAmount", "currency": posting.salary_currency, "value": value}


def experience_requirements(posting, texts):
    """The minimum experience in months, with the posting's required experience as its description."""
    if posting.experience_years is None:
        return texts
    return compact(
        {
            "@type": "OccupationalExperienceRequirements",
            "monthsOfExperience": posting.experience_years * 12,
            "description": "\n".join(texts),
        }
    )


def credential_category(text):
    """Google's credentialCategory for the education `text` names, or None when it names none."""
    folded = fold(text)
    return next((category for category, pattern in CREDENTIAL_PATTERNS.items() if pattern.search(folded)), None)


def education_requirements(texts):
    return [
        compact(
            {
                "@type": "EducationalOccupationalCredential",
                "credentialCategory": credential_category(text),
                "description": text,
            }
        )
        for text in texts
    ]


def requirement_texts(posting, kinds, priority=Requirement.Priority.REQUIRED):
    return [
        plain_inline(item.text)
        for item in posting.requirements.all()
        if item.kind in kinds and item.priority == priority
    ]


def job_posting(posting, url=None):
    """The schema.org JobPosting of `posting` (whose public address is `url`), as JSON-ready data."""
    remote = posting.is_remote
    texts = in_posting_language(posting)
    return compact(
        {
            "@context": "https://schema.org",
            "@type": "JobPosting",
            "title": posting.title,
            "description": description_html(posting),
            "identifier": {"@type": "PropertyValue", "name": posting.company.name, "value": posting.slug},
            "url": url,
            "datePosted": posting.published_at.isoformat() if posting.published_at else None,
            "validThrough": posting.valid_through.isoformat() if posting.valid_through else None,
            "employmentType": EMPLOYMENT_TYPES[posting.employment_type],
            "hiringOrganization": hiring_organization(posting.company, posting.language),
            # A fully remote role has a place only when HR gave it an office.
            "jobLocation": job_locations(posting),
            "jobLocationType": "TELECOMMUTE" if remote else None,
            "applicantLocationRequirements": applicant_countries(posting) if remote else None,
            "baseSalary": base_salary(posting),
            # Google reads these as what candidates must have: what is only nice to have is qualification text.
            "experienceRequirements": experience_requirements(
                posting, requirement_texts(posting, {Requirement.Kind.EXPERIENCE})
            ),
            "educationRequirements": education_requirements(requirement_texts(posting, {Requirement.Kind.EDUCATION})),
            "skills": requirement_texts(posting, SKILLS),
            "qualifications": requirement_texts(posting, QUALIFICATIONS)
            + texts["languages"]
            + requirement_texts(posting, Requirement.Kind, Requirement.Priority.PREFERRED),
            "eligibilityToWorkRequirement": texts["visa"],
            "responsibilities": [plain_inline(item.text) for item in posting.responsibilities.all()],
            "jobBenefits": [plain_inline(item.text) for item in posting.benefits.all()] + texts["relocation"],
            # Candidates apply on the employer's site or by e-mail, never on the posting's page itself.
            "directApply": False,
        }
    )


def json_ld_script(data):
    """`data` in a <script type="application/ld+json"> element, escaped like Django's json_script."""
    text = json.dumps(data, ensure_ascii=False).translate(SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


def job_posting_script(posting, url):
    """The JobPosting <script> of a live posting; nothing for one that is not (or no longer) public."""
    if posting.lifecycle != Lifecycle.PUBLISHED:
        return ""
    return json_ld_script(job_posting(posting, url))
