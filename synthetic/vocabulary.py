"""Word lists the corpus generator draws from: treatments, guidelines, people, clinical prose.

Kept apart from `generate.py` so the generator stays logic only and the vocabulary can grow
without touching it. Everything here is original text written for this project in the style
of the public IMR letters (their fixed template sentences excepted); nothing is copied from a
real letter. Treatment and guideline wording is chosen so that the parser's classifier can
derive each request's category and body region from the words alone.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- categories and body regions (the values the classifier emits) ---------------------------

SURGERY = "surgery"
MEDICATION = "medication"
INJECTION = "injection"
PHYSICAL_THERAPY = "physical therapy"
CHIROPRACTIC = "chiropractic"
ACUPUNCTURE = "acupuncture"
IMAGING = "imaging"
DME = "durable medical equipment"
TESTING = "laboratory/testing"
CONSULTATION = "consultation/referral"
PSYCHOLOGICAL = "psychological"
FUNCTIONAL_RESTORATION = "functional restoration"
HOME_HEALTH = "home health/nursing"
OTHER = "other"

CATEGORIES: tuple[str, ...] = (
    SURGERY,
    MEDICATION,
    INJECTION,
    PHYSICAL_THERAPY,
    CHIROPRACTIC,
    ACUPUNCTURE,
    IMAGING,
    DME,
    TESTING,
    CONSULTATION,
    PSYCHOLOGICAL,
    FUNCTIONAL_RESTORATION,
    HOME_HEALTH,
    OTHER,
)

# Relative frequency of each category among disputed items (medication dominates real IMR).
CATEGORY_WEIGHTS: dict[str, int] = {
    MEDICATION: 38,
    IMAGING: 9,
    PHYSICAL_THERAPY: 8,
    INJECTION: 7,
    SURGERY: 6,
    DME: 6,
    TESTING: 5,
    CONSULTATION: 4,
    ACUPUNCTURE: 4,
    CHIROPRACTIC: 3,
    PSYCHOLOGICAL: 4,
    FUNCTIONAL_RESTORATION: 2,
    HOME_HEALTH: 2,
    OTHER: 2,
}


@dataclass(frozen=True)
class Region:
    """One body region: how requests name it and what the clinical prose says about it."""

    key: str  # the classifier's body-region value
    phrases: tuple[str, ...]  # how a request names it ("lumbar spine")
    sided: bool  # joints take left/right/bilateral
    levels: tuple[str, ...]  # spinal levels, or () for joints
    mtus: tuple[str, int, tuple[str, ...]]  # ACOEM chapter (2004/2007), year, sections
    acoem_old: tuple[str, tuple[str, ...]]  # "Chapter 12 Low Back Complaints", page ranges
    odg: str  # ODG chapter name
    diagnoses: tuple[str, ...]
    symptoms: tuple[str, ...]
    findings: tuple[str, ...]
    imaging: tuple[str, ...]
    surgeries: tuple[str, ...]
    injections: tuple[str, ...]
    braces: tuple[str, ...]


REGIONS: tuple[Region, ...] = (
    Region(
        key="lumbar spine",
        phrases=("lumbar spine", "lumbar spine", "lumbosacral spine", "lumbar"),
        sided=False,
        levels=("L3-4", "L4-5", "L5-S1", "L4-S1"),
        mtus=(
            "Low Back Complaints",
            2004,
            ("Special Studies", "Surgical Considerations", "Physical Methods", "Initial Care"),
        ),
        acoem_old=("Chapter 12 Low Back Complaints", ("308-310", "303-305", "298-301", "305-306")),
        odg="Low Back",
        diagnoses=(
            "lumbar radiculopathy",
            "lumbar disc displacement",
            "lumbar sprain and strain",
            "degenerative disc disease of the lumbar spine",
            "lumbar facet arthropathy",
            "lumbar spinal stenosis",
            "post-laminectomy syndrome",
            "sciatica",
        ),
        symptoms=(
            "low back pain radiating to the {side} lower extremity",
            "constant low back pain with intermittent numbness in the {side} leg",
            "axial low back pain aggravated by prolonged sitting and bending",
            "low back stiffness with tingling into the {side} foot",
        ),
        findings=(
            "tenderness over the lumbar paraspinal muscles",
            "a positive straight leg raise on the {side} at 45 degrees",
            "decreased sensation in the {side} L5 dermatome",
            "lumbar flexion limited to 40 degrees with pain at end range",
            "paravertebral muscle spasm and guarding",
            "an antalgic gait favoring the {side} side",
        ),
        imaging=(
            "a 4 mm disc protrusion at {level} with mild neural foraminal narrowing",
            "facet hypertrophy and moderate central canal stenosis at {level}",
            "desiccation of the {level} disc without nerve root compression",
            "postoperative changes at {level} with intact hardware",
        ),
        surgeries=(
            "Lumbar microdiscectomy at {level}",
            "{level} posterior lumbar interbody fusion",
            "Lumbar laminectomy and foraminotomy at {level}",
            "Anterior lumbar interbody fusion at {level}",
            "Removal of lumbar hardware with exploration of fusion at {level}",
            "Lumbar decompression at {level} with 2 day inpatient stay",
            "Posterior lumbar decompression and instrumented fusion at {level} with iliac crest "
            "bone graft and intraoperative neuromonitoring",
        ),
        injections=(
            "Lumbar epidural steroid injection at {level}",
            "{Side} {level} transforaminal epidural steroid injection",
            "Bilateral {level} lumbar facet injections",
            "Lumbar medial branch blocks at {level}",
            "Radiofrequency ablation of the lumbar medial branches at {level}",
            "{Side} sacroiliac joint injection under fluoroscopy",
        ),
        braces=("Lumbar support brace", "LSO back brace for the lumbar spine"),
    ),
    Region(
        key="cervical spine",
        phrases=("cervical spine", "cervical spine", "neck", "cervical"),
        sided=False,
        levels=("C4-5", "C5-6", "C6-7", "C5-7"),
        mtus=(
            "Neck and Upper Back Complaints",
            2004,
            ("Special Studies", "Initial Care", "Surgical Considerations", "Physical Methods"),
        ),
        acoem_old=(
            "Chapter 8 Neck and Upper Back Complaints",
            ("177-179", "181-183", "174-175", "180-181"),
        ),
        odg="Neck and Upper Back",
        diagnoses=(
            "cervical radiculopathy",
            "cervical disc herniation",
            "cervical sprain and strain",
            "cervical spondylosis",
            "cervicogenic headaches",
            "cervical facet syndrome",
        ),
        symptoms=(
            "neck pain radiating into the {side} upper extremity",
            "neck pain with headaches and numbness in the {side} hand",
            "persistent neck stiffness aggravated by looking down",
        ),
        findings=(
            "tenderness of the cervical paraspinal and upper trapezius muscles",
            "a positive Spurling's test on the {side}",
            "cervical rotation limited to 50 degrees",
            "diminished {side} biceps reflex",
            "decreased sensation in the {side} C6 dermatome",
        ),
        imaging=(
            "a 3 mm broad-based disc bulge at {level} abutting the thecal sac",
            "uncovertebral hypertrophy with foraminal stenosis at {level}",
            "straightening of the cervical lordosis consistent with muscle spasm",
        ),
        surgeries=(
            "Anterior cervical discectomy and fusion at {level}",
            "Cervical disc arthroplasty at {level}",
            "Posterior cervical laminoplasty at {level}",
        ),
        injections=(
            "Cervical epidural steroid injection at {level}",
            "Cervical medial branch blocks at {level}",
            "Trigger point injections to the cervical paraspinal muscles",
        ),
        braces=("Soft cervical collar", "Cervical traction unit for home use"),
    ),
    Region(
        key="thoracic spine",
        phrases=("thoracic spine", "thoracic spine", "mid back"),
        sided=False,
        levels=("T7-8", "T8-9", "T11-12"),
        mtus=("Neck and Upper Back Complaints", 2004, ("Special Studies", "Initial Care")),
        acoem_old=("Chapter 8 Neck and Upper Back Complaints", ("177-179", "182")),
        odg="Low Back",
        diagnoses=(
            "thoracic sprain and strain",
            "thoracic compression fracture",
            "thoracic myofascial pain",
        ),
        symptoms=("mid back pain between the shoulder blades", "thoracic pain worse with twisting"),
        findings=(
            "tenderness over the thoracic paraspinal muscles",
            "painful thoracic rotation",
            "palpable trigger points in the rhomboid muscles",
        ),
        imaging=(
            "mild anterior wedging of the {level} vertebral body",
            "multilevel thoracic spondylosis",
        ),
        surgeries=("Thoracic kyphoplasty at {level}",),
        injections=("Thoracic epidural steroid injection at {level}",),
        braces=("Thoracic spine orthosis brace",),
    ),
    Region(
        key="shoulder",
        phrases=("shoulder",),
        sided=True,
        levels=(),
        mtus=(
            "Shoulder Complaints",
            2004,
            ("Special Studies", "Surgical Considerations", "Initial Care", "Physical Methods"),
        ),
        acoem_old=("Chapter 9 Shoulder Complaints", ("207-209", "209-211", "212-214", "204")),
        odg="Shoulder",
        diagnoses=(
            "rotator cuff tear",
            "shoulder impingement syndrome",
            "adhesive capsulitis",
            "acromioclavicular joint arthritis",
            "rotator cuff tendinopathy",
            "labral tear",
        ),
        symptoms=(
            "{side} shoulder pain with overhead reaching",
            "{side} shoulder pain that wakes the worker at night",
            "weakness and clicking of the {side} shoulder",
        ),
        findings=(
            "a positive Hawkins and Neer impingement sign on the {side}",
            "{side} shoulder abduction limited to 100 degrees",
            "tenderness over the {side} acromioclavicular joint",
            "4/5 strength with {side} shoulder external rotation",
        ),
        imaging=(
            "a partial-thickness supraspinatus tear with subacromial bursitis",
            "a full-thickness tear of the supraspinatus tendon with 1 cm retraction",
            "moderate acromioclavicular joint hypertrophy with a type II acromion",
        ),
        surgeries=(
            "{Side} shoulder arthroscopy with subacromial decompression",
            "{Side} shoulder arthroscopic rotator cuff repair",
            "{Side} shoulder arthroscopic labral repair and distal clavicle excision",
            "{Side} total shoulder arthroplasty",
            "{Side} shoulder arthroscopy with subacromial decompression, distal clavicle excision "
            "and extensive debridement of the glenohumeral joint",
        ),
        injections=(
            "{Side} shoulder subacromial corticosteroid injection",
            "{Side} shoulder intra-articular injection under ultrasound guidance",
            "Suprascapular nerve block, {side} shoulder",
        ),
        braces=("Shoulder sling with abduction pillow, {side}",),
    ),
    Region(
        key="knee",
        phrases=("knee",),
        sided=True,
        levels=(),
        mtus=(
            "Knee Complaints",
            2004,
            ("Special Studies", "Surgical Considerations", "Initial Care"),
        ),
        acoem_old=("Chapter 13 Knee Complaints", ("341-343", "343-345", "346-347", "339")),
        odg="Knee & Leg",
        diagnoses=(
            "medial meniscus tear",
            "knee osteoarthritis",
            "patellofemoral pain syndrome",
            "anterior cruciate ligament sprain",
            "knee internal derangement",
        ),
        symptoms=(
            "{side} knee pain with locking and giving way",
            "{side} knee pain and swelling after prolonged standing",
            "difficulty climbing stairs because of {side} knee pain",
        ),
        findings=(
            "medial joint line tenderness of the {side} knee",
            "a positive McMurray test on the {side}",
            "{side} knee flexion limited to 105 degrees with crepitus",
            "a mild effusion of the {side} knee",
        ),
        imaging=(
            "a horizontal tear of the posterior horn of the medial meniscus",
            "tricompartmental degenerative change with joint space narrowing",
            "chondromalacia of the patella without ligament tear",
        ),
        surgeries=(
            "{Side} knee arthroscopy with partial medial meniscectomy",
            "{Side} total knee arthroplasty",
            "{Side} knee anterior cruciate ligament reconstruction",
            "{Side} knee arthroscopic chondroplasty",
            "{Side} knee arthroscopy with partial medial and lateral meniscectomy, chondroplasty "
            "of the patella and removal of loose bodies",
        ),
        injections=(
            "{Side} knee viscosupplementation injections, series of 3",
            "{Side} knee corticosteroid injection",
            "Platelet-rich plasma injection to the {side} knee",
        ),
        braces=("Hinged knee brace, {side}", "Continuous passive motion machine, {side} knee"),
    ),
    Region(
        key="hip",
        phrases=("hip",),
        sided=True,
        levels=(),
        mtus=("Chronic Pain Medical Treatment", 2016, ("Physical medicine treatment",)),
        acoem_old=("Chapter 12 Low Back Complaints", ("300-301",)),
        odg="Hip & Pelvis",
        diagnoses=(
            "hip osteoarthritis",
            "greater trochanteric bursitis",
            "hip labral tear",
            "hip strain",
        ),
        symptoms=("{side} hip pain with walking", "{side} groin pain when rising from a chair"),
        findings=(
            "pain with internal rotation of the {side} hip",
            "tenderness over the {side} greater trochanter",
            "a positive FABER test on the {side}",
        ),
        imaging=(
            "moderate joint space narrowing of the {side} hip",
            "an anterosuperior labral tear of the {side} hip",
        ),
        surgeries=(
            "{Side} total hip arthroplasty",
            "{Side} hip arthroscopy with labral debridement",
        ),
        injections=(
            "{Side} hip intra-articular corticosteroid injection",
            "{Side} greater trochanteric bursa injection",
        ),
        braces=("Hip abduction brace, {side}",),
    ),
    Region(
        key="wrist/hand",
        phrases=("wrist", "hand", "wrist and hand"),
        sided=True,
        levels=(),
        mtus=(
            "Forearm, Wrist, and Hand Complaints",
            2004,
            ("Special Studies", "Surgical Considerations", "Initial Care"),
        ),
        acoem_old=(
            "Chapter 11 Forearm, Wrist, and Hand Complaints",
            ("268-269", "270-271", "265", "272-273"),
        ),
        odg="Forearm, Wrist & Hand",
        diagnoses=(
            "carpal tunnel syndrome",
            "de Quervain's tenosynovitis",
            "trigger finger",
            "wrist sprain",
            "triangular fibrocartilage complex tear",
        ),
        symptoms=(
            "numbness and tingling of the {side} hand at night",
            "{side} wrist pain with gripping",
            "catching of the {side} ring finger",
        ),
        findings=(
            "a positive Tinel's sign and Phalen's test on the {side}",
            "a positive Finkelstein test on the {side}",
            "decreased {side} grip strength on dynamometer testing",
        ),
        imaging=(
            "findings consistent with moderate median nerve entrapment at the {side} wrist",
            "a small ganglion cyst at the dorsal {side} wrist",
        ),
        surgeries=(
            "{Side} carpal tunnel release",
            "{Side} trigger finger release",
            "{Side} wrist arthroscopy with debridement",
            "{Side} de Quervain's release",
        ),
        injections=(
            "{Side} carpal tunnel corticosteroid injection",
            "{Side} wrist first dorsal compartment injection",
        ),
        braces=("{Side} wrist splint", "Custom thumb spica splint, {side}"),
    ),
    Region(
        key="elbow",
        phrases=("elbow",),
        sided=True,
        levels=(),
        mtus=(
            "Elbow Complaints",
            2007,
            ("Special Studies", "Surgical Considerations", "Initial Care"),
        ),
        acoem_old=("Chapter 10 Elbow Complaints", ("33-35", "36-37", "42")),
        odg="Elbow",
        diagnoses=(
            "lateral epicondylitis",
            "cubital tunnel syndrome",
            "medial epicondylitis",
            "elbow sprain",
        ),
        symptoms=(
            "{side} elbow pain with lifting",
            "numbness of the {side} small finger with elbow flexion",
        ),
        findings=(
            "tenderness over the {side} lateral epicondyle",
            "pain with resisted wrist extension on the {side}",
            "a positive Tinel's sign at the {side} cubital tunnel",
        ),
        imaging=("common extensor tendinosis without a full-thickness tear",),
        surgeries=("{Side} cubital tunnel release", "{Side} lateral epicondyle debridement"),
        injections=(
            "{Side} elbow lateral epicondyle corticosteroid injection",
            "Platelet-rich plasma injection to the {side} elbow",
        ),
        braces=("Counterforce elbow brace, {side}",),
    ),
    Region(
        key="ankle/foot",
        phrases=("ankle", "foot", "ankle and foot"),
        sided=True,
        levels=(),
        mtus=(
            "Ankle and Foot Complaints",
            2004,
            ("Special Studies", "Initial Care", "Surgical Considerations"),
        ),
        acoem_old=("Chapter 14 Ankle and Foot Complaints", ("372-374", "376-377", "371")),
        odg="Ankle & Foot",
        diagnoses=(
            "ankle sprain",
            "plantar fasciitis",
            "Achilles tendinopathy",
            "ankle instability",
        ),
        symptoms=(
            "{side} ankle pain and swelling with walking",
            "{side} heel pain on first steps in the morning",
        ),
        findings=(
            "tenderness over the {side} anterior talofibular ligament",
            "tenderness at the {side} plantar fascia insertion",
            "a positive anterior drawer test of the {side} ankle",
        ),
        imaging=(
            "a partial tear of the anterior talofibular ligament",
            "thickening of the plantar fascia",
        ),
        surgeries=(
            "{Side} ankle arthroscopy with debridement",
            "{Side} ankle lateral ligament reconstruction",
        ),
        injections=(
            "{Side} plantar fascia corticosteroid injection",
            "{Side} ankle intra-articular injection",
        ),
        braces=("Custom orthotics for the {side} foot", "{Side} ankle stabilizing brace"),
    ),
)

# Regions weighted by how often IMR requests name them (low back and neck dominate).
REGION_WEIGHTS: dict[str, int] = {
    "lumbar spine": 34,
    "cervical spine": 18,
    "thoracic spine": 3,
    "shoulder": 14,
    "knee": 12,
    "hip": 4,
    "wrist/hand": 7,
    "elbow": 3,
    "ankle/foot": 5,
}

SIDES = ("left", "right", "right", "left", "bilateral")

# --- treatments by category --------------------------------------------------------------------
# "{part}" is the region phrase with its side ("right shoulder", "lumbar spine").

IMAGING_FORMS = (
    "MRI of the {part} without contrast",
    "MRI of the {part}",
    "X-rays of the {part}",
    "CT scan of the {part}",
    "Repeat MRI of the {part}",
    "MR arthrogram of the {part}",
    "Open MRI of the {part}",
    "Ultrasound of the {part}",
    "Bone scan of the {part}",
)
SPINE_IMAGING_FORMS = (
    "MRI of the {part} without contrast",
    "MRI of the {part}",
    "X-rays of the {part}, flexion and extension views",
    "CT scan of the {part}",
    "Repeat MRI of the {part}",
    "Open MRI of the {part}",
)
PT_FORMS = (
    "Physical therapy {freq} for the {part}",
    "Additional physical therapy {freq}, {part}",
    "Post-operative physical therapy {sessions} sessions for the {part}",
    "Physical therapy {sessions} sessions, {part}",
    "Aquatic therapy {freq} for the {part}",
    "Occupational therapy {freq} for the {part}",
)
CHIRO_FORMS = (
    "Chiropractic treatment {freq} for the {part}",
    "Chiropractic manipulation {sessions} visits, {part}",
    "Additional chiropractic sessions {freq} to the {part}",
)
ACU_FORMS = (
    "Acupuncture {sessions} sessions for the {part}",
    "Additional acupuncture {freq} for the {part}",
    "Acupuncture {freq}",
    "Electroacupuncture {sessions} sessions, {part}",
)
DME_FORMS = (
    "TENS unit, 30 day rental",
    "TENS unit purchase with supplies",
    "Interferential current stimulator, 2 month rental",
    "Hot and cold therapy unit, {part}",
    "Cold therapy unit, 7 day rental",
    "Post-operative cold therapy unit",
    "Front-wheeled walker",
    "Hospital bed for home use",
    "Orthopedic mattress",
    "Motorized scooter",
    "Shower chair",
)
TESTING_FORMS = (
    "Urine drug screen",
    "Urine toxicology screen",
    "EMG/NCV of the bilateral {limbs}",
    "Nerve conduction study of the bilateral {limbs}",
    "Electromyography of the {side} {limb}",
    "Functional capacity evaluation",
    "Comprehensive metabolic panel",
    "CBC and hepatic function panel",
    "Polysomnography sleep study",
    "Genetic testing for opioid metabolism",
    "Computerized range of motion and muscle strength testing",
    "Qualitative drug screen by chromatography",
)
CONSULT_FORMS = (
    "Orthopedic surgeon consultation for the {part}",
    "Pain management consultation",
    "Spine surgeon consultation for the {part}",
    "Follow-up visit with the treating physician",
    "Neurology consultation",
    "Internal medicine consultation",
    "Referral to a pain management specialist",
    "Podiatry consultation",
    "Consultation with a physiatrist",
    "Pre-operative medical clearance",
    "Sleep medicine referral",
)
PSYCH_FORMS = (
    "Cognitive behavioral therapy {sessions} sessions",
    "Psychological evaluation",
    "Psychotherapy {freq}",
    "Biofeedback therapy {sessions} sessions",
    "Group psychotherapy {sessions} sessions",
    "Psychological testing",
    "Psychiatric evaluation and treatment",
    "Individual psychotherapy {sessions} sessions",
)
FRP_FORMS = (
    "Functional restoration program, {hours} hours",
    "Functional restoration program evaluation",
    "Work hardening program {sessions} sessions",
    "Interdisciplinary pain rehabilitation program, {hours} hours",
    "Work conditioning {freq}",
)
HOME_HEALTH_FORMS = (
    "Home health aide {hours_day} hours a day, {days} days a week for {weeks} weeks",
    "Home health care evaluation",
    "Skilled nursing facility stay, {days_stay} days",
    "Home health nursing visits {freq}",
    "In-home assistance with activities of daily living, {hours_day} hours a day",
    "Licensed vocational nurse visits {freq}",
)
OTHER_FORMS = (
    "Gym membership for 6 months",
    "Weight loss program",
    "Non-emergency transportation, 12 round trips",
    "Smoking cessation program",
    "Pool membership for 3 months",
    "Hot tub for home use",
    "Home modifications",
)
SURGERY_EXTRAS = ("Assistant surgeon", "Inpatient hospital stay, 2 days, after surgery")

# Which section of a body-part ACOEM chapter a category cites (default: first section).
REGION_SECTION_BY_CATEGORY: dict[str, str] = {
    IMAGING: "Special Studies",
    TESTING: "Special Studies",
    SURGERY: "Surgical Considerations",
    CONSULTATION: "Surgical Considerations",
    PHYSICAL_THERAPY: "Physical Methods",
    CHIROPRACTIC: "Physical Methods",
    DME: "Physical Methods",
    INJECTION: "Initial Care",
}

# Body regions in the classifier's order (a request naming two lists them in this order).
REGION_ORDER: tuple[str, ...] = (
    "cervical spine",
    "thoracic spine",
    "lumbar spine",
    "shoulder",
    "elbow",
    "wrist/hand",
    "hip",
    "knee",
    "ankle/foot",
    "head",
    "upper extremity",
    "lower extremity",
)

# Phrases naming the limbs for electrodiagnostic studies, by region.
LIMBS = {
    "lumbar spine": ("lower extremities", "lower extremity"),
    "cervical spine": ("upper extremities", "upper extremity"),
    "wrist/hand": ("upper extremities", "upper extremity"),
    "elbow": ("upper extremities", "upper extremity"),
}

FREQUENCIES = (
    "2x6",
    "2x4",
    "3x4",
    "2x3",
    "1x6",
    "2 times a week for 6 weeks",
    "3 times a week for 4 weeks",
    "twice weekly for 4 weeks",
    "once a week for 6 weeks",
    "3x2",
)
SESSIONS = ("6", "8", "12", "10", "4", "18", "24")

# --- medications -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Drug:
    """One drug as requested: name variants, strengths, and its class (drives the rationale)."""

    names: tuple[str, ...]
    strengths: tuple[str, ...]
    drug_class: str
    quantities: tuple[str, ...] = ("#30", "#60", "#90", "#120")


OPIOID = "opioid"
RELAXANT = "muscle relaxant"
NSAID = "nsaid"
PPI = "ppi"
ANTICONVULSANT = "anticonvulsant"
ANTIDEPRESSANT = "antidepressant"
SLEEP = "sleep aid"
TOPICAL = "topical"
BENZO = "benzodiazepine"
MISC_DRUG = "miscellaneous"

DRUGS: tuple[Drug, ...] = (
    Drug(("Norco", "Hydrocodone/APAP"), ("10/325mg", "5/325mg", "7.5/325mg"), OPIOID),
    Drug(("Percocet", "Oxycodone/APAP"), ("10/325mg", "5/325mg"), OPIOID),
    Drug(("Oxycodone", "OxyContin"), ("15mg", "30mg", "20mg ER"), OPIOID),
    Drug(("Tramadol", "Ultram", "Tramadol ER"), ("50mg", "150mg", "100mg"), OPIOID),
    Drug(("Nucynta", "Tapentadol"), ("50mg", "75mg"), OPIOID),
    Drug(("Butrans patch",), ("10mcg/hr", "5mcg/hr"), OPIOID, ("#4", "#8")),
    Drug(("Morphine sulfate ER", "MS Contin"), ("15mg", "30mg"), OPIOID),
    Drug(("Cyclobenzaprine", "Flexeril"), ("7.5mg", "10mg", "5mg"), RELAXANT),
    Drug(("Tizanidine", "Zanaflex"), ("4mg", "2mg"), RELAXANT),
    Drug(("Methocarbamol", "Robaxin"), ("750mg", "500mg"), RELAXANT),
    Drug(("Orphenadrine ER", "Norflex"), ("100mg",), RELAXANT),
    Drug(("Carisoprodol", "Soma"), ("350mg",), RELAXANT),
    Drug(("Baclofen",), ("10mg", "20mg"), RELAXANT),
    Drug(("Naproxen sodium", "Anaprox DS", "Naproxen"), ("550mg", "500mg"), NSAID),
    Drug(("Ibuprofen", "Motrin"), ("800mg", "600mg"), NSAID),
    Drug(("Meloxicam", "Mobic"), ("15mg", "7.5mg"), NSAID),
    Drug(("Celecoxib", "Celebrex"), ("200mg", "100mg"), NSAID),
    Drug(("Diclofenac sodium ER", "Diclofenac"), ("100mg", "75mg"), NSAID),
    Drug(("Nabumetone",), ("750mg", "500mg"), NSAID),
    Drug(("Omeprazole", "Prilosec"), ("20mg", "40mg"), PPI),
    Drug(("Pantoprazole", "Protonix"), ("20mg", "40mg"), PPI),
    Drug(("Esomeprazole",), ("40mg",), PPI),
    Drug(("Gabapentin", "Neurontin"), ("300mg", "600mg", "800mg"), ANTICONVULSANT),
    Drug(("Pregabalin", "Lyrica"), ("75mg", "150mg"), ANTICONVULSANT),
    Drug(("Topiramate",), ("25mg", "50mg"), ANTICONVULSANT),
    Drug(("Duloxetine", "Cymbalta"), ("30mg", "60mg"), ANTIDEPRESSANT),
    Drug(("Amitriptyline",), ("10mg", "25mg"), ANTIDEPRESSANT),
    Drug(("Nortriptyline",), ("25mg",), ANTIDEPRESSANT),
    Drug(("Venlafaxine ER",), ("37.5mg", "75mg"), ANTIDEPRESSANT),
    Drug(("Trazodone",), ("50mg", "100mg"), ANTIDEPRESSANT),
    Drug(("Sertraline",), ("50mg", "100mg"), ANTIDEPRESSANT),
    Drug(("Zolpidem", "Ambien"), ("10mg", "5mg", "12.5mg CR"), SLEEP),
    Drug(("Eszopiclone", "Lunesta"), ("2mg", "3mg"), SLEEP),
    Drug(("Lidoderm", "Lidocaine"), ("5% patch",), TOPICAL, ("#30", "#60", "#90")),
    Drug(("Terocin patch",), ("4%",), TOPICAL, ("#10", "#20", "#30")),
    Drug(("Voltaren gel",), ("1%",), TOPICAL, ("100g", "#3 tubes", "#1")),
    Drug(("Flector patch",), ("1.3%",), TOPICAL, ("#30", "#60")),
    Drug(
        ("Flurbiprofen/Lidocaine cream", "Ketoprofen cream", "Gabapentin/Cyclobenzaprine cream"),
        ("20%/5%", "10%", "10%/2%"),
        TOPICAL,
        ("180g", "240g", "120g", "#1"),
    ),
    Drug(("Diazepam", "Valium"), ("5mg", "10mg"), BENZO),
    Drug(("Alprazolam", "Xanax"), ("0.5mg", "1mg"), BENZO),
    Drug(("Clonazepam",), ("0.5mg", "1mg"), BENZO),
    Drug(("Ondansetron",), ("8mg", "4mg ODT"), MISC_DRUG, ("#10", "#20", "#30")),
    Drug(("Docusate sodium",), ("100mg",), MISC_DRUG),
    Drug(("Theramine medical food",), ("",), MISC_DRUG, ("#90", "#120")),
)

DOSING = (
    "",
    "",
    "",
    "",
    ", one tablet twice daily",
    " every 8 hours as needed",
    ", 1 by mouth at bedtime",
    " three times a day",
)

# --- guidelines ------------------------------------------------------------------------------

# MTUS Chronic Pain Medical Treatment Guidelines sections, by category or drug class.
CHRONIC_PAIN_SECTIONS: dict[str, tuple[str, ...]] = {
    OPIOID: (
        "Opioids for chronic pain",
        "Opioids, criteria for use",
        "Opioids, long-term assessment",
        "Weaning of Medications",
    ),
    RELAXANT: ("Muscle relaxants (for pain)", "Cyclobenzaprine (Flexeril)", "Antispasmodics"),
    NSAID: ("NSAIDs (non-steroidal anti-inflammatory drugs)", "Anti-inflammatory medications"),
    PPI: ("NSAIDs GI symptoms & cardiovascular risk",),
    ANTICONVULSANT: ("Anti-epilepsy drugs (AEDs)", "Gabapentin (Neurontin)"),
    ANTIDEPRESSANT: ("Antidepressants for chronic pain",),
    SLEEP: ("Insomnia treatment",),
    TOPICAL: ("Topical analgesics", "Lidoderm (lidocaine patch)", "Compound drugs"),
    BENZO: ("Benzodiazepines",),
    MISC_DRUG: ("Medical food", "Initiating Therapy"),
    PHYSICAL_THERAPY: ("Physical medicine treatment", "Aquatic therapy"),
    CHIROPRACTIC: ("Manual therapy & manipulation",),
    PSYCHOLOGICAL: (
        "Psychological treatment",
        "Behavioral interventions",
        "Psychological evaluations",
    ),
    FUNCTIONAL_RESTORATION: ("Functional restoration programs (FRPs)", "Chronic pain programs"),
    DME: (
        "TENS for chronic pain (transcutaneous electrical nerve stimulation)",
        "Interferential Current Stimulation (ICS)",
    ),
    TESTING: ("Drug testing", "Opioids, steps to avoid misuse/addiction"),
    INJECTION: ("Epidural steroid injections (ESIs)", "Trigger point injections"),
    CONSULTATION: ("Office visits",),
    HOME_HEALTH: ("Home health services",),
}

OPIOID_SECTIONS = (
    "3.3.9 Opioids for Chronic Pain and Chronic Opioid Treatment: Maintenance of Chronic Opioid "
    "Treatment",
    "3.3 Opioids for Chronic Pain and Chronic Opioid Treatment: Initiating and Monitoring Chronic "
    "Opioid Treatment",
    "1.4 Opioids for Acute Pain: Opioids for Post-operative Pain",
)

# Guidelines a category may cite regardless of region: (name, year, sections).
GENERAL_MTUS: dict[str, tuple[tuple[str, int, tuple[str, ...]], ...]] = {
    ACUPUNCTURE: (("Acupuncture Treatment", 2007, ()),),
    PSYCHOLOGICAL: (("Stress-Related Conditions", 2004, ("General Approach",)),),
    CONSULTATION: (
        ("General Approaches", 2004, ("General Approach to Initial Assessment and Documentation",)),
    ),
    PHYSICAL_THERAPY: (("Postsurgical Treatment", 2009, ("Postsurgical Rehabilitation",)),),
}

# Old MTUS wording with page numbers: Chronic Pain guideline page ranges by class.
CHRONIC_PAIN_PAGES: dict[str, tuple[str, ...]] = {
    OPIOID: ("74-96", "78-80", "91"),
    RELAXANT: ("63-66", "41-42"),
    NSAID: ("67-73", "22"),
    PPI: ("68-69",),
    ANTICONVULSANT: ("16-22", "49"),
    ANTIDEPRESSANT: ("13-16",),
    TOPICAL: ("111-113", "56-57"),
    BENZO: ("24",),
    PHYSICAL_THERAPY: ("98-99",),
    CHIROPRACTIC: ("58-59",),
    PSYCHOLOGICAL: ("101-102", "23"),
    FUNCTIONAL_RESTORATION: ("30-34", "49"),
    DME: ("114-116", "118-120"),
    TESTING: ("43", "77-78"),
    INJECTION: ("46", "122"),
    HOME_HEALTH: ("51",),
}

# ODG topics by category or drug class ("Pain (Chronic)" is the ODG chapter for medications).
ODG_TOPICS: dict[str, tuple[str, ...]] = {
    OPIOID: ("Opioids, criteria for use", "Opioids, long-term assessment"),
    RELAXANT: ("Muscle relaxants (for pain)", "Cyclobenzaprine (Flexeril)"),
    NSAID: ("NSAIDs (non-steroidal anti-inflammatory drugs)",),
    PPI: ("Proton pump inhibitors (PPIs)",),
    ANTICONVULSANT: ("Antiepilepsy drugs (AEDs) for pain",),
    ANTIDEPRESSANT: ("Antidepressants for chronic pain",),
    SLEEP: ("Insomnia treatment", "Zolpidem (Ambien)"),
    TOPICAL: ("Topical analgesics", "Lidoderm (lidocaine patch)", "Compound creams"),
    BENZO: ("Benzodiazepines",),
    MISC_DRUG: ("Medical food", "Antiemetics (for opioid nausea)"),
    IMAGING: (
        "MRIs (magnetic resonance imaging)",
        "Radiography (x-rays)",
        "Indications for imaging",
    ),
    SURGERY: ("Surgery", "Hospital length of stay (LOS)"),
    INJECTION: (
        "Epidural steroid injections (ESIs), therapeutic",
        "Facet joint diagnostic blocks",
        "Injections",
    ),
    PHYSICAL_THERAPY: ("Physical therapy (PT)", "Aquatic therapy"),
    CHIROPRACTIC: ("Manipulation",),
    ACUPUNCTURE: ("Acupuncture",),
    DME: (
        "Durable medical equipment (DME)",
        "TENS (transcutaneous electrical nerve stimulation)",
        "Cold/heat packs",
    ),
    TESTING: (
        "Urine drug testing (UDT)",
        "Electrodiagnostic studies (EDS)",
        "Functional capacity evaluation (FCE)",
    ),
    CONSULTATION: ("Office visits",),
    PSYCHOLOGICAL: ("Cognitive therapy for depression", "Psychotherapy guidelines", "Biofeedback"),
    FUNCTIONAL_RESTORATION: (
        "Functional restoration programs (FRPs)",
        "Work conditioning, work hardening",
    ),
    HOME_HEALTH: ("Home health services", "Skilled nursing facility (SNF) care"),
    OTHER: ("Gym memberships", "Lifestyle modifications"),
}
# How letters write each ODG chapter (the key is the canonical chapter name the parser emits).
ODG_CHAPTER_FORMS: dict[str, tuple[str, ...]] = {
    "Low Back": ("Low Back", "Low Back Chapter", "Low Back - Lumbar & Thoracic (Acute & Chronic)"),
    "Neck and Upper Back": (
        "Neck and Upper Back",
        "Neck and Upper Back (Acute & Chronic)",
        "Neck & Upper Back Chapter",
    ),
    "Shoulder": ("Shoulder", "Shoulder Chapter", "Shoulder (Acute & Chronic)"),
    "Knee & Leg": ("Knee & Leg", "Knee & Leg (Acute & Chronic)", "Knee Chapter"),
    "Hip & Pelvis": ("Hip & Pelvis", "Hip & Pelvis (Acute & Chronic)", "Hip Chapter"),
    "Forearm, Wrist & Hand": (
        "Forearm, Wrist & Hand",
        "Forearm, Wrist, & Hand (Acute & Chronic)",
        "Hand Chapter",
    ),
    "Elbow": ("Elbow", "Elbow (Acute & Chronic)", "Elbow Chapter"),
    "Ankle & Foot": ("Ankle & Foot", "Ankle & Foot (Acute & Chronic)"),
    "Pain": ("Pain (Chronic)", "Pain Chapter", "Pain"),
    "Mental Illness & Stress": ("Mental Illness & Stress", "Mental Illness & Stress Chapter"),
}

# ODG chapters used by categories that have no body region.
ODG_GENERAL_CHAPTER: dict[str, str] = {
    PSYCHOLOGICAL: "Mental Illness & Stress",
    TESTING: "Pain",
    HOME_HEALTH: "Knee & Leg",
    OTHER: "Pain",
    MEDICATION: "Pain",
}


# Non-MTUS studies, monographs and URLs, keyed by what they are about: a drug class, a
# category, or "spine"/"joint" for procedures on those regions. Each is (text, facet label):
# a study is labelled by its first author, a URL by its host, a monograph by its title.
@dataclass(frozen=True)
class Study:
    """A study as letters cite it; `label` is its facet value (first author et al.)."""

    authors: str
    title: str
    journal: str
    label: str


_CHOU = Study(
    "Chou R, Baisden J, Carragee EJ, Resnick DK, Shaffer WO, Loeser JD",
    "Surgery for low back pain: a review of the evidence for an American Pain Society clinical "
    "practice guideline",
    "Spine 2009",
    "Chou R et al.",
)
STUDIES: dict[str, tuple[Study, ...]] = {
    "spine": (
        _CHOU,
        Study(
            "Manchikanti L, Abdi S, Atluri S, et al",
            "An update of comprehensive evidence-based guidelines for interventional "
            "techniques in chronic spinal pain",
            "Pain Physician 2013",
            "Manchikanti L et al.",
        ),
    ),
    "joint": (
        Study(
            "Coghlan JA, Buchbinder R, Green S, Johnston RV, Bell SN",
            "Surgery for rotator cuff disease",
            "Cochrane Database Syst Rev 2008",
            "Coghlan JA et al.",
        ),
        Study(
            "Bellamy N, Campbell J, Robinson V, et al",
            "Viscosupplementation for the treatment of osteoarthritis of the knee",
            "Cochrane Database Syst Rev 2006",
            "Bellamy N et al.",
        ),
    ),
    OPIOID: (
        Study(
            "Dowell D, Haegerich TM, Chou R",
            "CDC guideline for prescribing opioids for chronic pain, United States",
            "MMWR 2016",
            "Dowell D et al.",
        ),
    ),
    PHYSICAL_THERAPY: (
        Study(
            "Furlan AD, Giraldo M, Baskwill A, Irvin E, Imamura M",
            "Massage for low-back pain",
            "Cochrane Database Syst Rev 2015",
            "Furlan AD et al.",
        ),
    ),
    PSYCHOLOGICAL: (
        Study(
            "Williams AC, Eccleston C, Morley S",
            "Psychological therapies for the management of chronic pain in adults",
            "Cochrane Database Syst Rev 2012",
            "Williams AC et al.",
        ),
    ),
}
MONOGRAPHS: dict[str, tuple[tuple[str, str, str | None], ...]] = {  # text, label, pages
    MEDICATION: (
        ("Lexicomp drug monograph", "Lexicomp drug monograph", None),
        ("Epocrates online drug reference", "Epocrates online drug reference", None),
        (
            "FDA prescribing information for the requested medication",
            "FDA prescribing information for the requested medication",
            None,
        ),
    ),
    "any": (
        (
            "American College of Occupational and Environmental Medicine (ACOEM) Practice "
            "Guidelines, 3rd edition",
            "ACOEM",
            None,
        ),
        (
            "ACOEM Guidelines, Chapter 7, Independent Medical Examinations and Consultations, "
            "page 127",
            "ACOEM",
            "127",
        ),
    ),
}
URLS: dict[str, tuple[str, ...]] = {
    OPIOID: ("https://www.cdc.gov/drugoverdose/prescribing/guideline.html",),
    MEDICATION: (
        "https://medlineplus.gov/druginfo/meds/a682604.html",
        "https://www.fda.gov/drugs/drug-safety-and-availability/opioid-medications",
    ),
    SURGERY: ("https://www.aaos.org/quality/quality-programs/clinical-practice-guidelines",),
    "any": ("https://www.ncbi.nlm.nih.gov/pubmed/19363455",),
}

# --- reviewers -------------------------------------------------------------------------------

SPECIALTIES_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    SURGERY: (
        "Orthopedic Surgery",
        "Orthopedic Surgery",
        "Neurological Surgery",
        "Hand Surgery",
        "Orthopedic Sports Medicine",
        "Spine Surgery",
    ),
    PSYCHOLOGICAL: ("Psychologist", "Psychiatry", "Psychiatry", "Psychologist"),
    CHIROPRACTIC: ("Chiropractic Medicine", "Chiropractic Sports Physician"),
    ACUPUNCTURE: ("Acupuncture", "Chiropractic Medicine", "Physical Medicine & Rehabilitation"),
    PHYSICAL_THERAPY: (
        "Physical Medicine & Rehabilitation",
        "Physical Therapy",
        "Orthopedic Surgery",
    ),
}
SPECIALTIES_GENERAL = (
    "Physical Medicine & Rehabilitation",
    "Pain Medicine",
    "Anesthesiology",
    "Family Practice",
    "Internal Medicine",
    "Occupational Medicine",
    "Preventive Medicine",
    "Emergency Medicine",
    "Neurology",
    "Orthopedic Surgery",
    "Sports Medicine",
    "Rheumatology",
)
SUBSPECIALTIES = (
    "Pain Medicine",
    "Sports Medicine",
    "Pediatric Rehabilitation Medicine",
    "Addiction Medicine",
    "Spinal Cord Injury Medicine",
)
STATES = (
    "California",
    "California",
    "California",
    "Texas",
    "New York",
    "Florida",
    "Illinois",
    "Pennsylvania",
    "Ohio",
    "Georgia",
    "North Carolina",
    "Michigan",
    "Washington",
    "Arizona",
    "Massachusetts",
    "Maryland",
    "Virginia",
    "Colorado",
    "Oregon",
    "New Jersey",
    "Tennessee",
    "Wisconsin",
    "Minnesota",
    "Connecticut",
    "Nevada",
)

# --- clinical prose --------------------------------------------------------------------------

# Opening sentences carry age and sex. {age} {sex} {doi}; {Worker} is the chosen noun phrase.
SUMMARY_OPENINGS = (
    "The injured worker is a {age} year old {sex} who sustained an industrial injury on {doi}.",
    "The injured worker is a {age} year old {sex}, who sustained an industrial injury on {doi}.",
    "This case involves a now {age}-year-old {sex} with a history of an occupational claim from "
    "{doi}.",
    "This is a {age} year old {sex} with a date of injury on {doi}.",
    "The {age} year old {sex} injured worker suffered an industrial injury on {doi}.",
    "The applicant is a {age}-year-old {sex} who has filed a claim for chronic pain reportedly "
    "associated with an industrial injury of {doi}.",
    "The injured worker is a {age}-year-old {sex}, with a reported date of injury of {doi}.",
    "According to the medical records available for review, the injured worker is a {age} year "
    "old {sex} with a date of injury of {doi}.",
)
# Openings without age or sex (the parser must then leave both empty).
SUMMARY_OPENINGS_BARE = (
    "The injured worker sustained an industrial injury on {doi}.",
    "This case concerns an industrial injury of {doi}.",
    "The records describe an occupational injury that occurred on {doi}.",
)
MECHANISMS = (
    "The mechanism of injury was lifting a heavy box at work.",
    "The injury occurred when {worker} slipped on a wet floor and fell.",
    "The mechanism of injury was described as repetitive keyboarding and mousing.",
    "{Worker} was injured while pulling a pallet jack.",
    "The injury was attributed to cumulative trauma from repetitive overhead work.",
    "{Worker} was struck by a falling object while stocking shelves.",
    "The injury occurred in a motor vehicle accident while driving for work.",
    "{Worker} twisted while carrying equipment down a flight of stairs.",
)
DIAGNOSIS_LEADS = (
    "The diagnoses include {dx}.",
    "{Worker} is being treated for {dx}.",
    "Current diagnoses include {dx}.",
    "The current diagnoses are documented as {dx}.",
    "{Worker} has been diagnosed with {dx}.",
)
PRIOR_TREATMENTS = (
    "physical therapy",
    "chiropractic care",
    "acupuncture",
    "home exercise program",
    "activity modification",
    "medications",
    "a TENS unit",
    "epidural steroid injections",
    "modified duty",
    "heat and ice",
    "massage therapy",
    "bracing",
    "psychological counseling",
)
TREATMENT_LEADS = (
    "Treatment to date has included {prior}.",
    "Prior treatment included {prior}.",
    "The treatment and diagnostic testing to date has included {prior}.",
    "{Worker} has been treated with {prior}.",
)
MEDICATION_SENTENCES = (
    "Medications have included {meds}.",
    "Current medications include {meds}.",
    "{Worker} has been prescribed {meds}.",
)
VISIT_SENTENCES = (
    "On {visit}, {worker} reported {symptom}, rated {pain}/10 on the pain scale.",
    "At the follow-up visit of {visit2}, {worker} complained of {symptom2}.",
    "The progress report dated {visit} documented {symptom}, with pain rated {pain}/10.",
    "In the most recent note, dated {visit2}, {worker} described {symptom2}.",
)
FINDING_SENTENCES = (
    "Physical examination revealed {finding}.",
    "Objective findings included {finding}.",
    "On examination there was {finding}.",
    "Examination findings were notable for {finding}, and {finding2} was also recorded.",
    "The examination documented {finding} and {finding2}.",
)
IMAGING_SENTENCES = (
    "An MRI of the {part} dated {img_date} showed {imaging}.",
    "Diagnostic imaging on {img_date} revealed {imaging}.",
    "A prior MRI of the {part} was noted to show {imaging}.",
)
WORK_STATUS = (
    "{Worker} is working modified duty.",
    "{Worker} is temporarily totally disabled.",
    "Current work status is permanent and stationary with restrictions.",
    "{Worker} has not returned to work.",
    "{Worker} continues to work full duty.",
)
PLAN_SENTENCES = (
    "The treatment plan included {requests}.",
    "The treating provider requested {requests}.",
    "The request for authorization included {requests}.",
)
UR_SENTENCES_SHORT = (
    "On {ur}, utilization review non-certified the requests.",
    "The utilization review of {ur} denied these requests.",
)
UR_SENTENCES = (
    "On {ur}, utilization review non-certified the request for {requests}.",
    "The utilization review dated {ur} denied {requests}.",
    "On {ur}, utilization review determined that {requests} was not medically necessary.",
    "The prior review, dated {ur}, non-certified {requests}.",
)

# Rationale: guideline statements by category or drug class.
GUIDELINE_STATEMENTS: dict[str, tuple[str, ...]] = {
    OPIOID: (
        "The MTUS recommends ongoing opioid therapy only when there is documented improvement in "
        "pain and function, monitoring for side effects, and screening for aberrant drug-taking "
        "behavior.",
        "Guidelines support continued use of opioid analgesics when the prescriber documents the "
        "four A's of ongoing monitoring: analgesia, activities of daily living, adverse effects, "
        "and aberrant behavior.",
        "Long-term opioid use is not recommended for chronic non-malignant pain unless a "
        "meaningful functional benefit is demonstrated and the lowest effective dose is used.",
    ),
    RELAXANT: (
        "Muscle relaxants are recommended with caution as a second-line option for the short-term "
        "treatment of acute exacerbations of chronic low back pain.",
        "Guidelines indicate that non-sedating muscle relaxants may be used for brief periods, and "
        "efficacy appears to diminish over time, with prolonged use leading to dependence.",
        "Antispasmodic agents are not recommended for use beyond two to three weeks.",
    ),
    NSAID: (
        "NSAIDs are recommended at the lowest dose for the shortest period in patients with "
        "moderate to severe osteoarthritis or an acute exacerbation of chronic back pain.",
        "Anti-inflammatory medications are the traditional first line of treatment to reduce pain "
        "so that activity and functional restoration can resume.",
    ),
    PPI: (
        "Proton pump inhibitors are recommended for patients taking NSAIDs who are at "
        "intermediate or high risk for gastrointestinal events.",
        "Risk factors for gastrointestinal events include age over 65, a history of peptic ulcer "
        "or "
        "bleeding, and concurrent use of aspirin, corticosteroids or anticoagulants.",
    ),
    ANTICONVULSANT: (
        "Anti-epilepsy drugs are recommended for neuropathic pain, and a good response is defined "
        "as a 50 percent reduction in pain.",
        "Continued use of an antiepileptic medication depends on documented improvement in pain "
        "and "
        "function and on tolerability of side effects.",
    ),
    ANTIDEPRESSANT: (
        "Antidepressants are recommended as a first-line option for neuropathic pain and as a "
        "possibility for non-neuropathic pain.",
        "Assessment of treatment efficacy should include pain outcomes, function, changes in other "
        "analgesic use, sleep quality and psychological status.",
    ),
    SLEEP: (
        "Hypnotic medications are recommended only for the short-term treatment of insomnia, "
        "generally two to six weeks.",
        "Pharmacologic treatment of insomnia should follow a careful evaluation of the causes of "
        "the sleep disturbance and a trial of sleep hygiene measures.",
    ),
    TOPICAL: (
        "Topical analgesics are largely experimental, with few randomized controlled trials to "
        "establish efficacy or safety.",
        "Any compounded product that contains at least one drug or drug class that is not "
        "recommended is not recommended.",
        "Topical lidocaine may be considered for localized peripheral neuropathic pain after a "
        "trial of first-line therapy such as an antidepressant or an anticonvulsant.",
    ),
    BENZO: (
        "Benzodiazepines are not recommended for long-term use because long-term efficacy is "
        "unproven and there is a risk of dependence.",
        "Most guidelines limit the use of benzodiazepines to four weeks.",
    ),
    MISC_DRUG: (
        "The guidelines do not address this medication for the treatment of chronic pain.",
        "Medical foods are not recommended for chronic pain, as there is no quality evidence of "
        "benefit.",
    ),
    IMAGING: (
        "Unequivocal objective findings that identify specific nerve compromise on the neurologic "
        "examination are sufficient evidence to warrant imaging in patients who do not respond to "
        "treatment and who would consider surgery an option.",
        "Imaging is recommended when there are red flags, a progressive neurologic deficit, or "
        "failure to progress in a strengthening program intended to avoid surgery.",
        "Repeat imaging is not routinely recommended and should be reserved for a significant "
        "change in symptoms or findings suggestive of significant pathology.",
        "Plain radiographs are recommended in the presence of red flags for fracture or after "
        "trauma when there is persistent pain.",
    ),
    SURGERY: (
        "Surgical consultation is indicated for patients with severe and disabling symptoms, clear "
        "clinical and imaging evidence of a lesion known to benefit from surgical repair, and "
        "failure of conservative care.",
        "Surgery is recommended when activity limitation persists for more than one month and "
        "there is failure to improve with an exercise program.",
        "Criteria for surgery include objective findings on examination that correlate with the "
        "imaging and documented failure of at least three months of conservative treatment.",
    ),
    INJECTION: (
        "Epidural steroid injections are recommended as an option for the treatment of radicular "
        "pain defined as pain in a dermatomal distribution with corroborative findings of "
        "radiculopathy.",
        "Radiculopathy must be documented by physical examination and corroborated by imaging "
        "studies and/or electrodiagnostic testing.",
        "Repeat blocks should be based on continued objective documented pain and functional "
        "improvement, including at least 50 percent pain relief for six to eight weeks.",
        "Injections are recommended only after failure of conservative treatment including "
        "exercise, physical methods, NSAIDs and muscle relaxants.",
    ),
    PHYSICAL_THERAPY: (
        "Physical medicine guidelines allow for fading of treatment frequency plus active "
        "self-directed home physical medicine, with 9 to 10 visits over 8 weeks for myalgia and "
        "myositis.",
        "Active therapy is based on the philosophy that therapeutic exercise is beneficial for "
        "restoring flexibility, strength, endurance, function and range of motion.",
        "Postsurgical treatment guidelines support an initial course of therapy of one half of the "
        "general course, with additional therapy contingent on functional improvement.",
    ),
    CHIROPRACTIC: (
        "Manual therapy and manipulation are recommended for chronic pain caused by "
        "musculoskeletal conditions, with a trial of 6 visits over 2 weeks.",
        "With evidence of objective functional improvement, a total of up to 18 visits over 6 to 8 "
        "weeks may be supported; elective or maintenance care is not medically necessary.",
    ),
    ACUPUNCTURE: (
        "Acupuncture is used as an option when pain medication is reduced or not tolerated, and it "
        "may be used as an adjunct to physical rehabilitation.",
        "The time to produce functional improvement is 3 to 6 treatments, and treatments may be "
        "extended if functional improvement is documented.",
    ),
    DME: (
        "A one-month home-based trial of a TENS unit may be considered as a noninvasive option if "
        "used as an adjunct to a program of evidence-based functional restoration.",
        "Durable medical equipment is recommended generally if there is a medical need and if the "
        "device or system meets the definition of durable medical equipment.",
        "Continuous-flow cryotherapy is recommended as an option after surgery for up to 7 days, "
        "including home use.",
    ),
    TESTING: (
        "Drug testing is recommended as an option to assess for the use or the presence of illegal "
        "drugs, with frequency based on documented risk stratification.",
        "Electrodiagnostic studies may help identify subtle focal neurologic dysfunction in "
        "patients "
        "with symptoms lasting more than three or four weeks.",
        "A functional capacity evaluation is recommended when case management is hampered by "
        "complex issues such as prior unsuccessful return to work attempts.",
    ),
    CONSULTATION: (
        "The occupational health practitioner may refer to other specialists if a diagnosis is "
        "uncertain or extremely complex, or when the plan may benefit from additional expertise.",
        "The need for a clinical office visit is individualized based on a review of the patient's "
        "concerns, signs and symptoms, clinical stability and reasonable physician judgment.",
    ),
    PSYCHOLOGICAL: (
        "Psychological treatment is recommended for appropriately identified patients during "
        "treatment for chronic pain, with an initial trial of 3 to 4 psychotherapy visits over 2 "
        "weeks.",
        "Psychological evaluations are recommended and are well-established diagnostic procedures "
        "in chronic pain populations.",
        "With evidence of objective functional improvement, a total of up to 6 to 10 visits over 5 "
        "to 6 weeks of individual sessions may be supported.",
    ),
    FUNCTIONAL_RESTORATION: (
        "Functional restoration programs are recommended where there is access to programs with "
        "proven successful outcomes for patients with conditions that put them at risk of delayed "
        "recovery.",
        "Treatment in a functional restoration program is not suggested for longer than 2 weeks "
        "without evidence of demonstrated efficacy as documented by subjective and objective "
        "gains.",
    ),
    HOME_HEALTH: (
        "Home health services are recommended only for otherwise recommended medical treatment for "
        "patients who are homebound, on a part-time or intermittent basis, generally up to no more "
        "than 35 hours per week.",
        "Medical treatment does not include homemaker services like shopping, cleaning and "
        "laundry, "
        "or personal care given by home health aides when this is the only care needed.",
    ),
    OTHER: (
        "The guidelines do not recommend services that are not medical treatment, and a gym "
        "membership is not recommended unless a home exercise program has been ineffective.",
        "The requested service is not addressed by the MTUS, and the supplemental guidelines "
        "consider it a matter of personal rather than medical need.",
    ),
}

# Case facts that fit any category; {treatment} is the request in lower case.
CASE_SENTENCES = (
    "The medical records indicate that {worker} continues to report {symptom}.",
    "In this case, {worker} has a history of {dx} with persistent complaints despite conservative "
    "care.",
    "The most recent examination documented {finding}.",
    "The documentation submitted for review indicates that the request for {treatment} was made at "
    "the visit of {visit}.",
    "The records note pain rated {pain}/10 with limited tolerance for standing and walking.",
    "According to the provider, {worker} has completed {sessions} sessions of {prior} to date.",
    "The provider noted that {worker} remains symptomatic with {finding}.",
    "{Worker} was seen on {visit} for a reevaluation of {dx}.",
    "The progress notes describe ongoing {symptom} that limits work and household activities.",
    "There is no documentation of a recent change in the neurologic examination.",
    "The treating physician recommended continuing the current plan and a home exercise program.",
    "The records include a request for authorization but few objective measurements of function.",
    "Prior utilization review decisions and the treating physician's appeal were reviewed.",
    "{Worker} reported that symptoms worsen with prolonged activity and improve only "
    "temporarily with rest and medication.",
    "The treating physician's report of {visit2} describes {symptom2} without new trauma.",
    "There is no documentation of the specific functional goals the request is meant to achieve.",
    "The requesting provider indicated that the request was intended to reduce pain and "
    "facilitate a return to full duty.",
    "The records describe {finding2}, which was unchanged from the previous visit.",
    "Sleep disturbance and reduced tolerance for lifting and carrying were also noted.",
    "A urine drug screen performed on {visit2} was reported as consistent with the prescribed "
    "medications.",
)
UPHELD_REASONS: dict[str, tuple[str, ...]] = {
    "any": (
        "There is no documentation of objective functional improvement with prior treatment.",
        "The records do not document a red flag condition or a progressive neurologic deficit.",
        "The clinical information submitted for review does not establish the medical necessity of "
        "the request.",
        "There is no clear rationale provided by the physician for the request.",
        "The submitted records lack a current and thorough examination of the affected region.",
        "There are no exceptional factors documented that would warrant a deviation from the "
        "guideline recommendations.",
    ),
    MEDICATION: (
        "There is no documentation of quantified pain relief or increased function with prior use "
        "of the medication.",
        "The medication has been prescribed for longer than the guidelines support.",
        "There is no evidence of a recent urine drug screen or a signed pain contract.",
        "The records do not document a trial and failure of first-line agents.",
        "The frequency and duration of use were not specified in the request.",
    ),
    IMAGING: (
        "There is no evidence of a significant change in symptoms since the prior study.",
        "The neurologic examination does not identify specific nerve compromise.",
        "There is no indication that {worker} is a surgical candidate or would consider surgery.",
    ),
    SURGERY: (
        "The imaging findings do not correlate with the examination findings.",
        "There is no documentation of failure of an adequate course of conservative treatment.",
        "The records do not document instability, fracture or tumor to support the procedure.",
    ),
    INJECTION: (
        "Radiculopathy is not corroborated by the imaging studies or electrodiagnostic testing.",
        "There is no documentation of at least 50 percent pain relief with the prior injection.",
        "The request exceeds the number of levels supported by the guidelines.",
    ),
    "therapy": (
        "{Worker} has already completed {sessions} sessions, and the request would exceed the "
        "guideline recommendations.",
        "There is no documentation of functional gains from the therapy already provided.",
        "{Worker} should be well versed in a home exercise program by now.",
    ),
}
OVERTURNED_REASONS: dict[str, tuple[str, ...]] = {
    "any": (
        "The records document objective findings that meet the guideline criteria for this "
        "request.",
        "The documentation shows that conservative treatment has failed over more than three "
        "months.",
        "The provider documented a clear rationale and a plan with measurable functional goals.",
        "Given the documented findings, the request is consistent with the guideline "
        "recommendations.",
    ),
    MEDICATION: (
        "The records document a 40 percent reduction in pain and improved tolerance for activities "
        "of daily living with the medication.",
        "A recent urine drug screen was consistent and there were no aberrant behaviors.",
        "The medication is being used at a reasonable dose with documented functional benefit.",
    ),
    IMAGING: (
        "The examination documents a progressive neurologic deficit that warrants imaging.",
        "There has been a significant change in symptoms since the prior study.",
    ),
    SURGERY: (
        "The imaging correlates with the clinical findings and conservative care has failed.",
        "The documented mechanical symptoms and imaging findings meet the surgical criteria.",
    ),
    INJECTION: (
        "Radiculopathy is documented on examination and corroborated by the MRI findings.",
        "The prior injection provided more than 50 percent relief for over six weeks.",
    ),
    "therapy": (
        "This is an initial course of treatment within the number of visits the guidelines allow.",
        "The prior sessions produced documented gains in range of motion and function.",
    ),
}
UPHELD_CONCLUSIONS = (
    "Therefore, the request for {treatment} is not medically necessary.",
    "As such, the request is not medically necessary.",
    "Given the above, the request for {treatment} is not medically necessary.",
    "Medical necessity of the requested {treatment} has not been established.",
    "Consequently, the request is not medically necessary and appropriate.",
)
OVERTURNED_CONCLUSIONS = (
    "Therefore, the request for {treatment} is medically necessary.",
    "As such, the request is medically necessary.",
    "Given the above, the request for {treatment} is medically necessary and appropriate.",
    "The request is therefore medically necessary.",
)
OPIOID_CAVEAT = (
    "This decision addresses the medical necessity of the opioid as prescribed, and it should not "
    "be read as a recommendation to stop long-term opioids abruptly; the treating physician and "
    "{worker} are advised to follow the MTUS guidance on tapering."
)

# What the records were ("DOCUMENTS REVIEWED" sections of the older layouts).
DOCUMENTS = (
    "Application of Independent Medical Review",
    "Utilization Review Determination",
    "Employee medical records from the primary treating physician",
    "Medical records from the requesting provider",
    "Physical therapy progress notes",
    "Diagnostic imaging reports",
    "Qualified medical evaluator report",
    "Medical Treatment Utilization Schedule",
    "Pharmacy records",
    "Agreed medical evaluation report",
)
