"""AI system cards: a versioned, documented description of one AI system.

A card is YAML or JSON validated by :class:`SystemCard`. Almost every field is optional: a field
the card leaves out is *unknown*, and ``senim classify`` reports which unknown fields would
change its answer. The JSON Schema published in ``senim/risk/schema/`` is generated from these
models (``senim card schema``) and pinned by a test.
"""

from __future__ import annotations

import datetime as dt
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator

from senim.risk._conditions import FieldType

__all__ = [
    "CARD_SCHEMA_VERSION",
    "AutomatedDecisions",
    "Autonomy",
    "Biometrics",
    "ContentGeneration",
    "Deployment",
    "Documentation",
    "EmotionRecognition",
    "EuContext",
    "LegalBasis",
    "ModelProvenance",
    "Owner",
    "PersonalData",
    "Practices",
    "RiskManagement",
    "SocialScoring",
    "SystemCard",
    "TrainingData",
    "card_field_types",
]

CARD_SCHEMA_VERSION = "1"

OwnerType = Literal[
    "private", "state_body", "law_enforcement", "quasi_state", "ngo", "individual", "academic"
]
OwnerSize = Literal["individual", "small", "medium", "large"]
Role = Literal["owner", "holder", "user"]
Sector = Literal[
    "finance",
    "insurance",
    "health",
    "education",
    "employment",
    "public_administration",
    "law_enforcement",
    "justice",
    "migration",
    "transport",
    "energy",
    "telecom",
    "retail",
    "media",
    "agriculture",
    "industry",
    "other",
]
UseCase = Literal[
    "remote_biometric_identification",
    "biometric_verification",
    "biometric_categorisation",
    "emotion_recognition",
    "critical_infrastructure_safety",
    "education_admission",
    "education_assessment",
    "education_proctoring",
    "recruitment",
    "employment_decisions",
    "worker_monitoring",
    "public_benefits_eligibility",
    "credit_scoring",
    "fraud_detection",
    "insurance_pricing_life_health",
    "emergency_triage",
    "crime_victim_risk",
    "polygraph",
    "evidence_evaluation",
    "reoffending_risk",
    "criminal_profiling",
    "migration_risk_assessment",
    "asylum_visa_examination",
    "border_person_detection",
    "judicial_assistance",
    "election_influence",
    "traffic_enforcement",
    "medical_diagnosis",
    "customer_support",
    "content_creation",
    "marketing",
    "translation",
    "search_recommendation",
    "quality_control",
    "other",
]
Capability = Literal[
    "biometric_identification",
    "biometric_categorisation",
    "emotion_recognition",
    "profiling",
    "social_scoring",
    "automated_decisions",
    "decision_support",
    "content_generation",
    "chatbot",
    "recommendation",
    "forecasting",
    "computer_vision",
    "speech_recognition",
    "location_tracking",
    "other",
]
Group = Literal[
    "customers",
    "employees",
    "job_applicants",
    "students",
    "children",
    "patients",
    "general_public",
    "persons_with_disabilities",
    "elderly",
    "low_income",
    "linguistic_minorities",
    "ethnic_minorities",
    "rural_residents",
    "migrants",
    "suspects_or_offenders",
    "voters",
]
SensitiveAttribute = Literal[
    "race",
    "ethnicity",
    "nationality",
    "language",
    "political_views",
    "religion",
    "philosophical_beliefs",
    "trade_union_membership",
    "sex_life",
    "sexual_orientation",
    "health",
    "sex",
    "age",
]
DataCategory = Literal[
    "identifiers",
    "iin",
    "contact",
    "biometric",
    "health",
    "financial",
    "location",
    "communications",
    "criminal_records",
    "employment",
    "education",
    "images_video",
    "voice",
    "behavioural",
    "children_data",
]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["KZ"])]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Owner(_Part):
    """Who owns or holds the system (AI Law Art. 1, 15)."""

    name: str = Field(
        min_length=1,
        max_length=300,
        description="Organisation name.",
        examples=["Akimat of Almaty"],
    )
    type: OwnerType | None = Field(
        None, description="Kind of organisation.", examples=["state_body", "private"]
    )
    size: OwnerSize | None = Field(
        None,
        description="Business size used for Administrative Code fine bands.",
        examples=["large"],
    )
    country: Country | None = Field(
        None, description="ISO 3166-1 alpha-2 country of registration.", examples=["KZ"]
    )


class Deployment(_Part):
    """Where and how the system runs."""

    openness: Literal["open", "closed", "local"] | None = Field(
        None,
        description="AI Law Art. 17(4): open, closed, or local (own infrastructure, no "
        "public-network connection).",
        examples=["local"],
    )
    public_spaces: bool | None = Field(
        None,
        description="Operates in publicly accessible places (streets, transport, malls).",
        examples=[True],
    )
    scale: Literal["individual", "organisation", "city", "region", "national"] | None = Field(
        None, description="Geographic or organisational reach.", examples=["city"]
    )
    serves_external_users: bool | None = Field(
        None,
        description="Goods, works or services are provided to people outside the organisation "
        "with this system (AI Law Art. 21(1)).",
        examples=[True],
    )
    countries: list[Country] | None = Field(
        None, description="Countries where the system is used.", examples=[["KZ"]]
    )


class AffectedPersons(_Part):
    """Users and people the system's outputs are about."""

    groups: list[Group] | None = Field(
        None, description="Groups of people affected.", examples=[["general_public", "children"]]
    )
    estimated_count: int | None = Field(
        None,
        ge=0,
        description="Approximate number of people affected per year.",
        examples=[2_000_000],
    )


class Biometrics(_Part):
    """Biometric identification and categorisation (PD Law Art. 7(12); AI Law Art. 17(3)(5))."""

    identification_mode: Literal["real_time", "post"] | None = Field(
        None, description="Remote identification live, or after the fact.", examples=["real_time"]
    )
    public_spaces: bool | None = Field(
        None, description="Biometric data collected in public places.", examples=[True]
    )
    purpose: (
        Literal[
            "constitutional_order",
            "public_order",
            "human_rights",
            "health_morality",
            "commercial",
            "access_control",
            "other",
        ]
        | None
    ) = Field(
        None,
        description="Main purpose of collecting biometric data (PD Law Art. 7(12) lists "
        "constitutional order, public order, human rights and freedoms, health and morality).",
        examples=["public_order"],
    )
    consent: bool | None = Field(
        None, description="Every identified person has consented.", examples=[False]
    )
    law_enforcement_exception: (
        Literal["victim_search", "imminent_threat", "serious_crime_suspect", "none"] | None
    ) = Field(
        None,
        description="EU AI Act Art. 5(1)(h) narrow exception the use relies on, if any.",
        examples=["none"],
    )
    categorisation_infers: list[SensitiveAttribute] | None = Field(
        None, description="Attributes inferred from biometric data.", examples=[["age", "sex"]]
    )
    discriminatory_purpose: bool | None = Field(
        None,
        description="Categorisation is used to treat people differently by the inferred "
        "attribute (AI Law Art. 17(3)(5)).",
        examples=[False],
    )


class EmotionRecognition(_Part):
    """Determining people's emotions (AI Law Art. 17(3)(6); EU AI Act Art. 5(1)(f))."""

    consent: bool | None = Field(
        None, description="People consent to their emotions being determined.", examples=[True]
    )
    permitted_by_law: bool | None = Field(
        None, description="A law expressly provides for this use.", examples=[False]
    )
    contexts: (
        list[Literal["workplace", "education", "customer_service", "public", "medical", "other"]]
        | None
    ) = Field(None, description="Where emotions are determined.", examples=[["workplace"]])
    medical_or_safety_purpose: bool | None = Field(
        None, description="Used for medical or safety reasons.", examples=[False]
    )


class SocialScoring(_Part):
    """Evaluating people over time by behaviour or traits (AI Law Art. 17(3)(3))."""

    over_time: bool | None = Field(
        None,
        description="People or groups are evaluated or classified over a period of time by "
        "social behaviour or personal characteristics.",
        examples=[True],
    )
    permitted_by_law: bool | None = Field(
        None, description="A law expressly provides for this scoring.", examples=[False]
    )
    detrimental_unrelated_context: bool | None = Field(
        None,
        description="The score leads to worse treatment in contexts unrelated to where the "
        "data came from, or treatment disproportionate to the behaviour (EU AI Act Art. 5(1)(c)).",
        examples=[True],
    )


class AutomatedDecisions(_Part):
    """Decisions about people taken by the system (PD Law Art. 19-1; Digital Code Art. 43)."""

    legal_effect: bool | None = Field(
        None,
        description="Decisions create, change or terminate people's rights or legitimate "
        "interests.",
        examples=[True],
    )
    solely_automated: bool | None = Field(
        None, description="No person takes part in the individual decision.", examples=[True]
    )
    consent: bool | None = Field(
        None, description="People consent to the automated decision.", examples=[True]
    )
    permitted_by_law: bool | None = Field(
        None, description="A law allows the decision without consent.", examples=[False]
    )
    objection_process: bool | None = Field(
        None,
        description="People can object and objections are answered within 3 working days.",
        examples=[True],
    )
    explanation_available: bool | None = Field(
        None, description="The key factors of a decision can be explained.", examples=[True]
    )


class ContentGeneration(_Part):
    """Synthetic content (AI Law Art. 21; EU AI Act Art. 50)."""

    synthetic_imitation: bool | None = Field(
        None,
        description="Outputs imitate a real person's appearance, voice or behaviour, or events "
        "that never happened (AI Law Art. 1 'synthetic results').",
        examples=[True],
    )
    media: list[Literal["text", "image", "audio", "video"]] | None = Field(
        None, description="Kinds of content generated.", examples=[["video", "audio"]]
    )
    machine_readable_marking: bool | None = Field(
        None, description="Outputs carry a machine-readable mark (Art. 21(2)).", examples=[True]
    )
    visible_warning: bool | None = Field(
        None,
        description="Outputs come with a warning people can perceive (Art. 21(2)).",
        examples=[True],
    )


class Practices(_Part):
    """Declarations about practices the law prohibits (AI Law Art. 17(3); EU AI Act Art. 5)."""

    manipulative_techniques: bool | None = Field(
        None,
        description="Uses subconscious, manipulative or deceptive techniques that distort "
        "behaviour.",
        examples=[False],
    )
    exploits_vulnerabilities: bool | None = Field(
        None,
        description="Uses vulnerability due to age, disability or social status to harm.",
        examples=[False],
    )
    crime_prediction_by_profiling: bool | None = Field(
        None,
        description="Predicts a person's risk of offending solely from profiling or "
        "personality traits.",
        examples=[False],
    )
    untargeted_face_scraping: bool | None = Field(
        None,
        description="Builds facial-recognition databases by untargeted scraping of the "
        "internet or CCTV.",
        examples=[False],
    )
    scrapes_public_personal_data: bool | None = Field(
        None,
        description="Collects personal data from public sources to create or extend databases "
        "(PD Law Art. 7(11)).",
        examples=[False],
    )
    prohibited_outputs: bool | None = Field(
        None,
        description="Creates or distributes outputs Kazakh law prohibits.",
        examples=[False],
    )


class LegalBasis(_Part):
    """Grounds for processing personal data (PD Law Art. 7, 8, 9)."""

    consent: bool | None = Field(
        None, description="Processing relies on data subjects' consent.", examples=[True]
    )
    law_permits: bool | None = Field(
        None,
        description="A law provides for the processing without consent (Art. 9).",
        examples=[False],
    )
    law_reference: str | None = Field(
        None, max_length=300, description="The law relied on.", examples=["Law on Police, Art. 10"]
    )


class Autonomy(_Part):
    """Human oversight (AI Law Art. 8(1), 17(2))."""

    human_role: Literal["decides", "can_override", "none"] | None = Field(
        None,
        description="decides: the system recommends, a person always decides; can_override: "
        "the system decides, a person can correct or cancel; none: correction is excluded or "
        "impossible.",
        examples=["decides"],
    )
    oversight: str | None = Field(
        None,
        max_length=2000,
        description="How people oversee the system.",
        examples=["Operators review every match before any action."],
    )


class PersonalData(_Part):
    """Personal data the system processes (PD Law 94-V)."""

    processed: bool | None = Field(
        None, description="The system processes personal data.", examples=[True]
    )
    categories: list[DataCategory] | None = Field(
        None, description="Categories of personal data.", examples=[["biometric", "location"]]
    )
    restricted_access: bool | None = Field(
        None,
        description="Includes restricted-access personal data (PD Law Art. 6).",
        examples=[True],
    )
    storage_countries: list[Country] | None = Field(
        None, description="Countries where the databases are located.", examples=[["KZ"]]
    )
    cross_border_transfer: bool | None = Field(
        None,
        description="Personal data is transferred abroad (PD Law Art. 16).",
        examples=[False],
    )
    transfer_consent: bool | None = Field(
        None, description="Subjects consented to the cross-border transfer.", examples=[True]
    )
    protection_measures: bool | None = Field(
        None,
        description="Legal, organisational and technical protection measures are in place "
        "(PD Law Art. 22).",
        examples=[True],
    )
    research_use: bool | None = Field(
        None,
        description="Data is passed on for statistical, sociological, scientific or marketing "
        "research (PD Law Art. 17(1)).",
        examples=[False],
    )


class TrainingData(_Part):
    """Where training data comes from (AI Law Art. 10, 20, 23, 27)."""

    sources: (
        list[Literal["own", "licensed", "public_web", "third_party_works", "synthetic", "state"]]
        | None
    ) = Field(None, description="Sources of training data.", examples=[["own", "public_web"]])
    respects_opt_outs: bool | None = Field(
        None,
        description="Works whose authors prohibited training in machine-readable form are "
        "excluded (AI Law Art. 23(5)).",
        examples=[True],
    )
    lawfully_obtained: bool | None = Field(
        None,
        description="All training data was obtained lawfully (Art. 10(2)).",
        examples=[True],
    )
    representative: bool | None = Field(
        None,
        description="Datasets are representative of the people the system affects (Art. 10(2)).",
        examples=[True],
    )
    creates_data_library: bool | None = Field(
        None,
        description="The organisation creates or transfers a data library (AI Law Art. 27).",
        examples=[False],
    )


class ModelProvenance(_Part):
    """Where the model comes from (the three national-AI approaches)."""

    approach: (
        Literal["sovereign_infrastructure", "own_model", "open_model_fine_tuned", "third_party"]
        | None
    ) = Field(
        None,
        description="sovereign_infrastructure, own_model, open_model_fine_tuned (an open model "
        "trained on own data), or third_party (a vendor's model or API).",
        examples=["open_model_fine_tuned"],
    )
    base_model: str | None = Field(
        None, max_length=200, description="Name of the base model.", examples=["Qwen2.5-7B"]
    )
    hosted_in: list[Country] | None = Field(
        None, description="Countries where the model runs.", examples=[["KZ"]]
    )


class RiskManagement(_Part):
    """Risk management (AI Law Art. 18)."""

    in_place: bool | None = Field(
        None, description="A documented risk-management process exists.", examples=[True]
    )
    last_review: dt.date | None = Field(
        None, description="Date of the last risk review.", examples=["2026-03-01"]
    )
    misuse_assessed: bool | None = Field(
        None, description="Foreseeable misuse was assessed (Art. 18(1)(2)).", examples=[True]
    )


class Documentation(_Part):
    """Documentation and user information (AI Law Art. 15(2))."""

    maintained: bool | None = Field(
        None, description="System documentation is kept.", examples=[True]
    )
    user_agreement: bool | None = Field(
        None, description="Users can read a user agreement before use.", examples=[True]
    )


class EuContext(_Part):
    """Facts only the EU AI Act needs."""

    narrow_procedural_task: bool | None = Field(
        None,
        description="Art. 6(3): performs only a narrow procedural or preparatory task.",
        examples=[False],
    )


class SystemCard(_Part):
    """An AI system card, schema version 1."""

    schema_version: Literal["1"] = Field(
        description="Card schema version.", examples=[CARD_SCHEMA_VERSION]
    )
    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9._-]{0,79}$",
        description="Stable identifier (lower case, digits, . _ -).",
        examples=["almaty-city-face-recognition"],
    )
    name: str = Field(
        min_length=1,
        max_length=300,
        description="System name.",
        examples=["City video analytics"],
    )
    description: str | None = Field(
        None,
        max_length=5000,
        description="What the system does.",
        examples=["Matches faces from street cameras against a watch list."],
    )
    version: str | None = Field(
        None, max_length=50, description="System version.", examples=["2.3"]
    )
    owner: Owner = Field(description="Owner or holder.")
    role: Role | None = Field(
        None,
        description="Role of the organisation filing the card (AI Law Art. 1, 15): owner, "
        "holder, or user.",
        examples=["owner"],
    )
    purpose: str | None = Field(
        None,
        max_length=2000,
        description="Intended purpose.",
        examples=["Find wanted persons in public places."],
    )
    sector: Sector | None = Field(
        None, description="Sector of use.", examples=["public_administration"]
    )
    use_cases: list[UseCase] | None = Field(
        None,
        description="Use-case tags (EU AI Act Annex III areas and common uses).",
        examples=[["remote_biometric_identification"]],
    )
    capabilities: list[Capability] | None = Field(
        None,
        description="Everything the system can do; a capability not listed is taken as absent.",
        examples=[["biometric_identification", "computer_vision"]],
    )
    deployment: Deployment = Field(default_factory=Deployment, description="Deployment.")
    affected_persons: AffectedPersons = Field(
        default_factory=AffectedPersons, description="People affected."
    )
    biometrics: Biometrics = Field(default_factory=Biometrics, description="Biometrics.")
    emotion_recognition: EmotionRecognition = Field(
        default_factory=EmotionRecognition, description="Emotion recognition."
    )
    social_scoring: SocialScoring = Field(
        default_factory=SocialScoring, description="Social scoring."
    )
    automated_decisions: AutomatedDecisions = Field(
        default_factory=AutomatedDecisions, description="Automated decisions."
    )
    content_generation: ContentGeneration = Field(
        default_factory=ContentGeneration, description="Synthetic content."
    )
    practices: Practices = Field(default_factory=Practices, description="Prohibited practices.")
    legal_basis: LegalBasis = Field(default_factory=LegalBasis, description="Legal basis.")
    autonomy: Autonomy = Field(default_factory=Autonomy, description="Autonomy and oversight.")
    failure_impact: (
        Literal["minimal", "reduced_efficiency", "moral_or_material_damage", "severe"] | None
    ) = Field(
        None,
        description="Worst consequence of a malfunction or shutdown (AI Law Art. 17(1)): "
        "minimal; reduced_efficiency of users; moral_or_material_damage; severe (an emergency "
        "or significant harm to defence, security, the economy, infrastructure or people's "
        "vital activity).",
        examples=["severe"],
    )
    critical_infrastructure: bool | None = Field(
        None,
        description="The system is a critically important ICT infrastructure object.",
        examples=[False],
    )
    state_information_resources: bool | None = Field(
        None,
        description="The system builds state electronic information resources.",
        examples=[False],
    )
    personal_data: PersonalData = Field(default_factory=PersonalData, description="Personal data.")
    training_data: TrainingData = Field(default_factory=TrainingData, description="Training data.")
    model: ModelProvenance = Field(default_factory=ModelProvenance, description="Model.")
    risk_management: RiskManagement = Field(
        default_factory=RiskManagement, description="Risk management."
    )
    documentation: Documentation = Field(
        default_factory=Documentation, description="Documentation."
    )
    eu: EuContext = Field(default_factory=EuContext, description="EU AI Act context.")

    @field_validator("use_cases", "capabilities")
    @classmethod
    def _no_duplicates(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("duplicate entries")
        return value

    def value(self, path: str) -> Any:
        """The value at a dotted ``path`` (``None`` when the card does not state it)."""
        node: Any = self
        for part in path.split("."):
            node = getattr(node, part)
        return node


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip Optional/Annotated; return (inner annotation, is_list)."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            annotation = members[0] if len(members) == 1 else annotation
            if len(members) != 1:
                return annotation, False
        else:
            break
    if get_origin(annotation) is list:
        inner, _ = _unwrap(get_args(annotation)[0])
        return inner, True
    return annotation, False


def card_field_types(model: type[BaseModel] = SystemCard, prefix: str = "") -> dict[str, FieldType]:
    """Every leaf field of the card as ``{dotted path: FieldType}`` (for checking conditions)."""
    found: dict[str, FieldType] = {}
    for name, info in model.model_fields.items():
        inner, is_list = _unwrap(info.annotation)
        path = f"{prefix}{name}"
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            found.update(card_field_types(inner, f"{path}."))
            continue
        if get_origin(inner) is Literal:
            values = frozenset(str(arg) for arg in get_args(inner))
            found[path] = FieldType(kind="str", values=values, is_list=is_list)
        elif inner is bool:
            found[path] = FieldType(kind="bool", is_list=is_list)
        elif inner is int:
            found[path] = FieldType(kind="int", is_list=is_list)
        elif inner is float:
            found[path] = FieldType(kind="float", is_list=is_list)
        elif inner is dt.date:
            found[path] = FieldType(kind="date", is_list=is_list)
        elif inner is str:
            found[path] = FieldType(kind="str", is_list=is_list)
        else:  # pragma: no cover - guarded by a test over the whole schema
            raise TypeError(f"unsupported card field type at {path}: {inner!r}")
    return found
