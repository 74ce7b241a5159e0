"""Treatment concepts of requests as IMR letters write them (written from workers' comp
practice, beyond the real letters), the phrase a user reads, and the regions in context."""

from __future__ import annotations

import pytest

from clinical.classify import categorize
from clinical.concepts import (
    Concept,
    concept_phrase,
    concept_regions,
    concepts,
    explain_concept,
    is_regional,
    treatment_concept,
)

# treatment as written -> concept key
CASES: tuple[tuple[str, str], ...] = (
    # imaging
    ("MRI of the lumbar spine without contrast", "mri"),
    ("Right knee MRI", "mri"),
    ("MRI C-spine w/o contrast", "mri"),
    ("Repeat MRI of the left shoulder", "mri"),
    ("Open MRI of the lumbosacral spine", "mri"),
    ("Upright MRI lumbar spine", "mri"),
    ("MRI of the brain with and without contrast", "mri"),
    ("Magnetic resonance imaging of the right wrist", "mri"),
    ("MR arthrogram of the left hip", "mr-arthrogram"),
    ("MRA right shoulder", "mr-arthrogram"),
    ("CT scan of the cervical spine", "ct"),
    ("CAT scan of the head", "ct"),
    ("Computed tomography of the lumbar spine to evaluate fusion", "ct"),
    ("CT arthrogram of the right shoulder", "ct"),
    ("X-rays of the lumbar spine, flexion and extension views", "x-ray"),
    ("Xray right ankle 3 views", "x-ray"),
    ("Radiographs of the bilateral knees, standing", "x-ray"),
    ("Chest x-ray", "x-ray"),
    ("Diagnostic ultrasound of the right shoulder", "ultrasound"),
    ("Ultrasound of the left knee", "ultrasound"),
    ("Venous duplex of the left lower extremity", "ultrasound"),
    ("Three phase bone scan", "bone-scan"),
    ("CT myelogram of the lumbar spine", "myelogram"),
    ("Lumbar discogram L3-L4, L4-L5, L5-S1", "discography"),
    ("DEXA scan", "dexa"),
    ("PET scan", "pet-scan"),
    # electrodiagnostics
    ("EMG/NCV of the bilateral lower extremities", "emg-ncv"),
    ("NCS/EMG RUE", "emg-ncv"),
    ("Electromyography of the left upper extremity", "emg-ncv"),
    ("Nerve conduction velocity studies bilateral upper extremities", "emg-ncv"),
    ("SSEP of the lower extremities", "evoked-potentials"),
    # laboratory and tests
    ("Urine drug screen", "urine-drug-screen"),
    ("Retrospective urine toxicology screen DOS 3/2/15", "urine-drug-screen"),
    ("Qualitative drug screen by chromatography", "urine-drug-screen"),
    ("Genetic testing for opioid metabolism", "genetic-testing"),
    ("Cytochrome P450 DNA testing", "genetic-testing"),
    ("CBC, CMP", "laboratory-tests"),
    ("Comprehensive metabolic panel", "laboratory-tests"),
    ("Hepatic and renal function panel", "laboratory-tests"),
    ("PT/INR", "laboratory-tests"),
    ("Associated surgical service: PT/PTT", "pre-operative-labs"),
    ("Associated surgical service: CBC, BMP, PT/INR", "pre-operative-labs"),
    ("Pre-operative labs: CBC, PT, PTT", "pre-operative-labs"),
    ("Pre-op EKG", "cardiac-testing"),
    ("Associated surgical service: EKG", "cardiac-testing"),
    ("Functional capacity evaluation (FCE)", "functional-capacity-evaluation"),
    ("Qualified functional capacity evaluation", "functional-capacity-evaluation"),
    ("Polysomnography sleep study", "sleep-study"),
    ("Audiogram", "hearing-test"),
    ("Computerized range of motion and muscle strength testing", "rom-strength-testing"),
    ("Videonystagmography (VNG)", "vestibular-testing"),
    # mental health
    ("Comprehensive psychological testing", "psychological-testing"),
    ("Neuropsychological testing", "psychological-testing"),
    ("Psychological evaluation", "psychological-evaluation"),
    ("Psych consult", "psychological-evaluation"),
    ("Psychiatric evaluation and treatment", "psychological-evaluation"),
    ("Cognitive behavioral therapy 12 sessions", "psychotherapy"),
    ("Psychotherapy 6 sessions", "psychotherapy"),
    ("Individual psychotherapy 1x week x 6 weeks", "psychotherapy"),
    ("Biofeedback therapy 6 sessions", "biofeedback"),
    ("Psychiatric follow up visits x 4", "psychiatric-care"),
    ("Partial Hospitalization day treatment", "partial-hospitalization"),
    # programs and facilities
    ("Functional restoration program, 160 hours", "functional-restoration-program"),
    ("HELP program evaluation", "functional-restoration-program"),
    ("Multidisciplinary evaluation for chronic pain program", "functional-restoration-program"),
    ("Work hardening 2x6", "work-hardening"),
    ("Work conditioning 12 sessions", "work-hardening"),
    (
        "Acute inpatient rehabilitation physical therapy and occupational therapy 7-10 days",
        "inpatient-rehabilitation",
    ),
    ("Skilled nursing facility stay, 14 days", "skilled-nursing-facility"),
    ("Inpatient detoxification program", "detoxification"),
    ("Inpatient hospital stay, 2 days, after surgery", "inpatient-stay"),
    ("Associated surgical service: 3 day inpatient stay", "inpatient-stay"),
    ("Smoking cessation program", "smoking-cessation-program"),
    ("Weight loss program", "weight-loss-program"),
    # physical medicine
    ("Physical therapy 2x6 for the lumbar spine", "physical-therapy"),
    ("Additional PT 2x4 right knee", "physical-therapy"),
    ("Post-operative physical therapy 12 sessions for the right shoulder", "physical-therapy"),
    ("Physical therapy evaluation, cervical and thoracic spine", "physical-therapy"),
    ("Associated surgical service: post-op PT x12", "physical-therapy"),
    ("Physiotherapy 8 visits", "physical-therapy"),
    ("Occupational therapy for six sessions", "occupational-therapy"),
    ("Hand therapy 2x4 left wrist", "occupational-therapy"),
    ("Aquatic therapy 1x6 for the lumbar spine", "aquatic-therapy"),
    ("Pool therapy 12 visits", "aquatic-therapy"),
    ("Chiropractic treatment 2x3 lumbar spine", "chiropractic"),
    ("Chiropractic manipulation 6 visits", "chiropractic"),
    ("Osteopathic manipulative treatment", "chiropractic"),
    ("Massage therapy 6 sessions", "massage-therapy"),
    ("Acupuncture 12 sessions", "acupuncture"),
    ("Electroacupuncture 2x3", "acupuncture"),
    ("Extracorporeal shockwave therapy right shoulder x3", "shockwave-therapy"),
    ("ESWT for plantar fasciitis", "shockwave-therapy"),
    ("Low level laser therapy", "laser-therapy"),
    ("Iontophoresis 6 sessions", "physical-modality"),
    ("Home exercise program", "home-exercise-program"),
    ("Gym membership for 6 months", "gym-membership"),
    ("Pool membership for 3 months", "gym-membership"),
    # injections
    ("Right L5-S1 epidural steroid injection", "epidural-steroid-injection"),
    ("Bilateral L4-5 transforaminal ESI under fluoroscopy", "epidural-steroid-injection"),
    ("Cervical epidural steroid injection C6-7 with IV sedation", "epidural-steroid-injection"),
    (
        "Lumbar epidural steroid injection with pain interventionist consult and treatment",
        "epidural-steroid-injection",
    ),
    ("Caudal epidural injection", "epidural-steroid-injection"),
    ("Right L4-5, L5-S1 selective nerve root block", "epidural-steroid-injection"),
    ("Bilateral L4-5 and L5-S1 facet injections", "facet-injection"),
    ("Diagnostic medial branch block bilateral L3-L5", "facet-injection"),
    ("Radiofrequency ablation bilateral L4-S1", "radiofrequency-ablation"),
    ("Right C3-C5 radiofrequency rhizotomy", "radiofrequency-ablation"),
    ("Genicular nerve radiofrequency ablation right knee", "radiofrequency-ablation"),
    ("Left sacroiliac joint injection under fluoroscopy", "sacroiliac-joint-injection"),
    ("Right SI joint block", "sacroiliac-joint-injection"),
    ("Neuroplasty, lumbar spine", "epidural-adhesiolysis"),
    ("Percutaneous epidural adhesiolysis", "epidural-adhesiolysis"),
    ("Injection of neurolytic substance, lumbar spine", "neurolytic-injection"),
    ("Left stellate ganglion block", "sympathetic-block"),
    ("Lumbar sympathetic block x 3", "sympathetic-block"),
    ("Bilateral greater occipital nerve block", "nerve-block"),
    ("Suprascapular nerve block, left shoulder", "nerve-block"),
    ("Trigger point injections x4 to the cervical paraspinal muscles", "trigger-point-injection"),
    ("Botox injections 200 units for migraine", "botulinum-toxin-injection"),
    ("Platelet-rich plasma injection to the right knee", "prp-injection"),
    ("PRP injection left lateral epicondyle", "prp-injection"),
    ("Stem cell injection right knee", "stem-cell-injection"),
    ("Prolotherapy injections to the lumbar spine", "prolotherapy"),
    ("Synvisc-One injection right knee", "viscosupplementation"),
    ("Euflexxa injections x3 left knee", "viscosupplementation"),
    ("Hyaluronic acid injection series bilateral knees", "viscosupplementation"),
    ("Right knee cortisone injection", "corticosteroid-injection"),
    ("Subacromial steroid injection left shoulder", "corticosteroid-injection"),
    (
        "Retrospective injection 5cc of lidocaine hcl 1percent and 1cc of dexamethasone 120mg "
        "to the right knee",
        "corticosteroid-injection",
    ),
    ("Right greater trochanteric bursa injection", "corticosteroid-injection"),
    ("Kenalog injection right trigger finger", "corticosteroid-injection"),
    ("Ultrasound guided intra-articular hip injection", "corticosteroid-injection"),
    ("Toradol 60mg IM injection", "drug:ketorolac"),
    ("Vitamin B12 injections", "drug:vitamin-b12"),
    ("Injection, lumbar spine", "injection"),
    ("Right knee aspiration", "joint-aspiration"),
    # neuromodulation
    ("Spinal cord stimulator trial", "spinal-cord-stimulator"),
    ("Permanent implantation of spinal cord stimulator", "spinal-cord-stimulator"),
    ("Intrathecal pain pump trial", "intrathecal-pump"),
    ("Peripheral nerve stimulator trial, occipital", "peripheral-nerve-stimulator"),
    # surgery
    ("L4-5, L5-S1 posterior lumbar interbody fusion", "spinal-fusion"),
    ("Anterior cervical discectomy and fusion at C5-6", "spinal-fusion"),
    ("ACDF C4-C6", "spinal-fusion"),
    ("EXPLORATION OF FUSION, L4-S1 POSSIBLE AUGMENTATION AND ALLOGRAFT", "spinal-fusion"),
    ("Right L5-S1 microdiscectomy", "discectomy-laminectomy"),
    ("Lumbar laminectomy and foraminotomy at L3-4", "discectomy-laminectomy"),
    ("L4-5 decompression", "discectomy-laminectomy"),
    ("Cervical disc arthroplasty at C5-6", "disc-arthroplasty"),
    ("T12 kyphoplasty", "kyphoplasty"),
    ("Lumbar spine surgery", "spine-surgery"),
    ("Removal of hardware, lumbar spine", "hardware-removal"),
    ("REMOVAL OF HARDWARE", "hardware-removal"),
    ("Right carpal tunnel release", "carpal-tunnel-release"),
    ("Endoscopic carpal tunnel release, left", "carpal-tunnel-release"),
    ("Left cubital tunnel release with ulnar nerve transposition", "cubital-tunnel-release"),
    ("Right ring finger trigger finger release", "trigger-finger-release"),
    ("Left de Quervain's release", "de-quervain-release"),
    ("Excision of ganglion cyst, right wrist", "ganglion-excision"),
    ("Right total knee arthroplasty", "knee-arthroplasty"),
    ("Left knee replacement", "knee-arthroplasty"),
    ("Left total hip replacement", "hip-arthroplasty"),
    ("Reverse total shoulder arthroplasty, right", "shoulder-arthroplasty"),
    (
        "Right shoulder arthroscopy with subacromial decompression and distal clavicle excision",
        "arthroscopy",
    ),
    ("Left knee arthroscopy, partial medial meniscectomy", "arthroscopy"),
    ("Right shoulder arthroscopic rotator cuff repair", "rotator-cuff-repair"),
    ("Left ACL reconstruction", "ligament-reconstruction"),
    ("Right ankle Brostrom lateral ligament reconstruction", "ligament-reconstruction"),
    ("Manipulation under anesthesia, left shoulder", "manipulation-under-anesthesia"),
    ("Right lateral epicondyle release", "tendon-repair"),
    ("Open reduction internal fixation left ankle", "fracture-fixation"),
    ("Right subtalar fusion", "joint-fusion"),
    ("Right plantar fascia release", "plantar-fascia-release"),
    ("Right bunionectomy", "bunionectomy"),
    ("Right inguinal hernia repair", "hernia-repair"),
    ("Assistant surgeon", "assistant-surgeon"),
    ("Associated surgical service: assistant surgeon", "assistant-surgeon"),
    ("Pre-operative medical clearance", "preoperative-clearance"),
    ("Associated surgical service: internal medicine pre-op clearance", "preoperative-clearance"),
    ("Associated surgical service: post-operative pain pump", "postoperative-pain-pump"),
    ("Dental treatment: crowns #3, #14", "dental-treatment"),
    # consultations
    ("Spine surgery evaluation for the lumbar", "spine-surgery-consultation"),
    ("Neurosurgical consultation", "spine-surgery-consultation"),
    ("Orthopedic surgeon consultation for the lumbar spine", "spine-surgery-consultation"),
    ("Orthopedic consultation, right knee", "surgical-consultation"),
    ("Referral to hand surgeon", "surgical-consultation"),
    ("Pain management consultation", "pain-management-consultation"),
    ("Referral to a pain management specialist", "pain-management-consultation"),
    ("Neurology consultation", "neurology-consultation"),
    ("Internal medicine consultation", "specialist-consultation"),
    ("ENT evaluation", "specialist-consultation"),
    ("Podiatry consultation", "specialist-consultation"),
    ("Follow-up visit with the treating physician", "follow-up-visit"),
    ("Office visits x 6", "follow-up-visit"),
    # equipment
    ("TENS unit", "tens-unit"),
    ("TENS unit purchase with supplies", "tens-unit"),
    ("Interferential current stimulator, 2 month rental", "interferential-unit"),
    ("H-wave device rental 30 days", "h-wave"),
    ("NMES unit", "nmes"),
    ("Purchase of a Pro-Stim 5.0 unit", "electrical-stimulation-unit"),
    ("Bone growth stimulator", "bone-growth-stimulator"),
    ("Associated surgical service: Cold therapy unit", "cold-therapy-unit"),
    ("Hot/cold therapy unit, 7 day rental", "cold-therapy-unit"),
    ("Vascutherm unit rental 21 days", "cold-therapy-unit"),
    ("DVT compression device, 14 day rental", "compression-device"),
    ("Compression stockings", "compression-garment"),
    ("Continuous passive motion machine, left knee", "cpm"),
    ("Hospital bed for an unspecified rental", "hospital-bed"),
    ("Orthopedic mattress", "mattress-bedding"),
    ("Bilateral hearing aids", "hearing-aids"),
    ("Front-wheeled walker", "mobility-aid"),
    ("Power wheelchair", "mobility-aid"),
    ("Shower chair", "daily-living-aids"),
    ("Cervical traction unit for home use", "traction-unit"),
    ("Home exercise kit", "exercise-equipment"),
    ("Custom orthotics for the right foot", "foot-orthotics"),
    ("Lumbar back brace", "brace"),
    ("LSO brace", "brace"),
    ("Right wrist splint", "brace"),
    ("Hinged knee brace, left", "brace"),
    ("CAM walker boot", "brace"),
    ("Associated surgical service: shoulder sling with abduction pillow", "sling"),
    ("CPAP machine", "cpap"),
    ("Stair lift", "home-modification"),
    # home care and services
    (
        "Daily RN for 4 weeks for wound care and monitoring of wound healing and home safety, "
        "medication management",
        "home-health",
    ),
    ("Home health aide 4 hours a day, 3 days a week for 6 weeks", "home-health"),
    ("Home health nursing visits 2x4", "home-health"),
    ("Home care assistance 8 hours per day", "home-care-assistance"),
    ("Housekeeping services 4 hours per week", "home-care-assistance"),
    ("Non-emergency transportation, 12 round trips", "transportation"),
    ("Interpreter services", "interpreter"),
)

# drugs: treatment as written -> concept key
DRUGS: tuple[tuple[str, str], ...] = (
    ("Norco 10/325mg #35", "drug:hydrocodone-acetaminophen"),
    (
        "Norco 5/325mg oral tablet, one tablet twice daily 14 days #40",
        "drug:hydrocodone-acetaminophen",
    ),
    ("Hydrocodone/APAP 10/325mg #120", "drug:hydrocodone-acetaminophen"),
    ("Hydrocodone 10/325mg #90", "drug:hydrocodone-acetaminophen"),
    ("Hydrocodone bitartrate/acetaminophen 7.5/325 #60", "drug:hydrocodone-acetaminophen"),
    ("Vicodin ES #60", "drug:hydrocodone-acetaminophen"),
    ("Hysingla ER 20mg #30", "drug:hydrocodone"),
    ("Percocet 10/325mg #90", "drug:oxycodone-acetaminophen"),
    ("Oxycodone/APAP 10/325mg #120", "drug:oxycodone-acetaminophen"),
    ("Oxycodone 10mg #60", "drug:oxycodone"),
    ("OxyContin 20mg ER #60", "drug:oxycodone"),
    ("MS Contin 15mg #90", "drug:morphine"),
    ("Morphine sulfate ER 30mg #60", "drug:morphine"),
    ("Fentanyl 25mcg/hr patch #10", "drug:fentanyl"),
    ("Duragesic patch 50mcg #15", "drug:fentanyl"),
    ("Butrans patch 10mcg/hr #4", "drug:buprenorphine"),
    ("Suboxone 8/2mg film #60", "drug:buprenorphine-naloxone"),
    ("Dilaudid 4mg #60", "drug:hydromorphone"),
    ("Methadone 10mg #90", "drug:methadone"),
    ("Nucynta ER 100mg #60", "drug:tapentadol"),
    ("Ultram (tramadol) 50mg #90", "drug:tramadol"),
    ("Ultram 50mg #60", "drug:tramadol"),
    ("Tramadol ER 150mg #30", "drug:tramadol"),
    ("Ultracet 37.5/325mg #60", "drug:tramadol-acetaminophen"),
    ("Tramadol/APAP 37.5/325 #90", "drug:tramadol-acetaminophen"),
    ("Tylenol #3 #60", "drug:acetaminophen-codeine"),
    ("Tylenol with codeine #4", "drug:acetaminophen-codeine"),
    ("Tylenol Extra Strength 500mg", "drug:acetaminophen"),
    ("Opana ER 10mg #60", "drug:oxymorphone"),
    ("Unknown opioid medication", "drug:opioid"),
    ("Motrin 800mg #90", "drug:ibuprofen"),
    ("Anaprox DS 550mg #60", "drug:naproxen"),
    ("Naproxen sodium 550mg #60", "drug:naproxen"),
    ("Mobic 15mg #30", "drug:meloxicam"),
    ("Celecoxib 200mg #90", "drug:celecoxib"),
    ("Celebrex 200mg #30", "drug:celecoxib"),
    ("Diclofenac sodium ER 100mg #60", "drug:diclofenac"),
    ("Voltaren XR 100mg #30", "drug:diclofenac"),
    ("Voltaren gel 1% 100g", "drug:diclofenac-topical"),
    ("Diclofenac sodium 3% 300mg/g #1", "drug:diclofenac-topical"),
    ("Flector patch 1.3% #30", "drug:diclofenac-topical"),
    ("Pennsaid 2% solution", "drug:diclofenac-topical"),
    ("Relafen 750mg #60", "drug:nabumetone"),
    ("Etodolac ER 400mg #60", "drug:etodolac"),
    ("Duexis 800/26.6mg #90", "drug:ibuprofen-famotidine"),
    ("Vimovo 500/20mg #60", "drug:naproxen-esomeprazole"),
    ("Flexeril 10mg #90", "drug:cyclobenzaprine"),
    ("Fexmid 7.5mg #60", "drug:cyclobenzaprine"),
    ("Retrospective Cyclobenzaprine 5mg tab #30 DOS: 11/14/16", "drug:cyclobenzaprine"),
    ("Cyclobenzaprine 5% in cream base 240g", "drug:cyclobenzaprine-topical"),
    ("Soma 350mg #60", "drug:carisoprodol"),
    ("Robaxin 750mg #90", "drug:methocarbamol"),
    ("Zanaflex 4mg #60", "drug:tizanidine"),
    ("Baclofen 10mg #60 with 2 refills", "drug:baclofen"),
    ("Skelaxin 800mg #60", "drug:metaxalone"),
    ("Orphenadrine Citrate ER 100mg tabs #30", "drug:orphenadrine"),
    ("Norflex ER 100mg #60", "drug:orphenadrine"),
    ("Gabapentin 600mg #90", "drug:gabapentin"),
    ("Neurontin 300mg #90", "drug:gabapentin"),
    ("Lyrica 75mg #60", "drug:pregabalin"),
    ("Topamax 50mg #60", "drug:topiramate"),
    ("Cymbalta 60mg #30", "drug:duloxetine"),
    ("Venlafaxine HCL ER 37.5mg #90", "drug:venlafaxine"),
    ("Effexor XR 75mg #30", "drug:venlafaxine"),
    ("Bupropion HCL 150mg #90", "drug:bupropion"),
    ("Wellbutrin XL 300mg #30", "drug:bupropion"),
    ("Amitriptyline 25mg #30", "drug:amitriptyline"),
    ("Elavil 10mg #30", "drug:amitriptyline"),
    ("Trazodone 50mg #30", "drug:trazodone"),
    ("Zoloft 100mg #30", "drug:sertraline"),
    ("Lexapro 10mg #30", "drug:escitalopram"),
    ("Ambien 10mg #30", "drug:zolpidem"),
    ("Zolpidem tartrate ER 12.5mg #30", "drug:zolpidem"),
    ("Lunesta 3mg #30", "drug:eszopiclone"),
    ("Belsomra 10mg #30", "drug:suvorexant"),
    ("Xanax 0.5mg #60", "drug:alprazolam"),
    ("Klonopin 1mg #60", "drug:clonazepam"),
    ("Valium 5mg #30", "drug:diazepam"),
    ("Ativan 1mg #30", "drug:lorazepam"),
    ("Prilosec 20mg #90", "drug:omeprazole"),
    ("Omeprazole DR 20mg #60", "drug:omeprazole"),
    ("Pantoprazole sodium 20mg #60", "drug:pantoprazole"),
    ("Protonix 40mg #30", "drug:pantoprazole"),
    ("Nexium 40mg #30", "drug:esomeprazole"),
    ("Ranitidine 150mg #60", "drug:ranitidine"),
    ("Zofran 8mg ODT #20", "drug:ondansetron"),
    ("Colace 100mg #60", "drug:docusate"),
    ("Senokot-S #60", "drug:docusate-senna"),
    ("Movantik 25mg #30", "drug:naloxegol"),
    ("Linzess 145mcg #30", "drug:linaclotide"),
    ("Imitrex 50mg #9", "drug:sumatriptan"),
    ("Maxalt 10mg #12", "drug:rizatriptan"),
    ("Fioricet #30", "drug:butalbital-combination"),
    ("Medrol dose pack", "drug:methylprednisolone"),
    ("Prednisone 10mg taper", "drug:prednisone"),
    ("Lidocaine 5% patch #1", "drug:lidocaine-topical"),
    ("Lidoderm 5% patches #30", "drug:lidocaine-topical"),
    ("Lidocaine ointment 5% #1", "drug:lidocaine-topical"),
    ("Anecream cream 4% #30", "drug:lidocaine-topical"),
    ("Ketoprofen 20% in cream base 240g", "drug:ketoprofen-topical"),
    ("Gabapentin 10% cream 120g", "drug:gabapentin-topical"),
    ("Capsaicin 0.075% cream", "drug:capsaicin-topical"),
    ("Biofreeze gel", "drug:menthol-topical"),
    ("Salonpas pad #60", "drug:methyl-salicylate-topical"),
    ("Bengay cream", "drug:methyl-salicylate-topical"),
    ("Terocin patch #30", "drug:terocin"),
    ("LidoPro ointment 121g", "drug:lidopro"),
    ("Flurbiprofen 20%/Lidocaine 5% cream 180g", "drug:compounded-topical"),
    ("Flurbiprofen/cyclobenzaprine/menthol cream", "drug:compounded-topical"),
    ("Ketoprofen/gabapentin/lidocaine compound cream", "drug:compounded-topical"),
    ("Compounded topical cream", "drug:compounded-topical"),
    ("Compound cream: amitriptyline 4%, baclofen 2%, gabapentin 6%", "drug:compounded-topical"),
    ("Topical analgesic cream", "drug:topical-analgesic"),
    ("TGHot 180gm", "drug:compounded-topical"),
    ("Fluriflex 180gm", "drug:compounded-topical"),
    ("Theramine #90", "drug:theramine"),
    ("Sentra PM #60", "drug:sentra-pm"),
    ("Sentra AM #60", "drug:sentra-am"),
    ("Gabadone #60", "drug:gabadone"),
    ("Trepadone #120", "drug:trepadone"),
    ("Deprizine (unknown quantity)", "drug:deprizine"),
    ("Fanatrex (unknown quantity)", "drug:fanatrex"),
    ("Synapryn 10mg/ml oral suspension 500ml", "drug:synapryn"),
    ("Tabradol 1mg/ml oral suspension 250ml", "drug:tabradol"),
    ("Ketophene (unknown quantity)", "drug:ketophene"),
    ("Dicopanol 5mg/ml oral suspension 150ml", "drug:dicopanol"),
    ("Provigil 200mg #30", "drug:modafinil"),
    ("Seroquel 50mg #30", "drug:quetiapine"),
    ("Vitamin D 50,000 IU #12", "drug:vitamin-d"),
    ("Glucosamine sulfate 500mg #90", "drug:glucosamine"),
    ("AndroGel 1.62% pump", "drug:testosterone"),
    ("Keflex 500mg #28", "drug:antibiotic"),
    ("Associated surgical service: Lovenox 40mg x 14 days", "drug:anticoagulant"),
    ("Narcan nasal spray 4mg #2", "drug:naloxone"),
    ("Chantix 1mg #60", "drug:varenicline"),
    ("Nicotine patch 21mg #30", "drug:nicotine-replacement"),
    ("Ketamine 10% cream", "drug:ketamine-topical"),
    ("Ketamine infusion", "drug:ketamine"),
)


@pytest.mark.parametrize(("treatment", "key"), CASES + DRUGS)
def test_concept(treatment: str, key: str) -> None:
    concept, why = explain_concept(treatment, categorize(treatment))
    assert concept.key == key, why


@pytest.mark.parametrize(
    ("treatment", "category", "key", "label"),
    [
        ("Xyzzy 10mg #60", "medication", "other:medication", "Other medication"),
        ("Something entirely different", "other", "other:other", "Other request"),
        ("Unspecified imaging", None, "other:other", "Other request"),
        ("Foo scan", "imaging", "other:imaging", "Other imaging"),
        ("", "surgery", "other:surgery", "Other surgery"),
        ("Bar", "durable medical equipment", "other:durable-medical-equipment",
         "Other durable medical equipment"),
    ],
)  # fmt: skip
def test_unknown_falls_back_to_the_category(
    treatment: str, category: str | None, key: str, label: str
) -> None:
    concept = treatment_concept(treatment, category)
    assert (concept.key, concept.label) == (key, label)


@pytest.mark.parametrize(
    ("treatment", "key"),
    [
        # modified and framed requests: the disputed part decides
        (
            "Norco 10/325mg #60 was the original request. Norco 10/325mg #25 was authorized by "
            "the Claims Administrator. The remaining IMR eligible portion of the original "
            "request, Norco 10/325mg #35",
            "drug:hydrocodone-acetaminophen",
        ),
        (
            "Physical therapy 12 sessions was the original request. The Claims Administrator "
            "authorized 6 sessions, leaving the original request IMR eligible. The original "
            "request, Physical therapy 12 sessions is: Upheld",
            "physical-therapy",
        ),
        ("Retrospective request for urine drug screen (DOS 10/1/14)", "urine-drug-screen"),
        ("ASSOCIATED SURGICAL SERVICE: PT/PTT", "pre-operative-labs"),
        ("Associated Surgical Services - CBC", "pre-operative-labs"),
        ("1. MRI of the lumbar spine", "mri"),
    ],
)
def test_framing_is_stripped(treatment: str, key: str) -> None:
    assert treatment_concept(treatment).key == key


@pytest.mark.parametrize(
    "treatment",
    [
        "PT/PTT",
        "Associated surgical service: PT/PTT",
        "PT/INR",
        "PT, PTT, INR",
        "CBC, CMP, PT",
        "Pre-op labs: CBC, PT/INR, UA",
    ],
)
def test_lab_panels_are_never_physical_therapy(treatment: str) -> None:
    assert treatment_concept(treatment).group == "laboratory"
    assert categorize(treatment) == "laboratory/testing"


@pytest.mark.parametrize(
    ("treatment", "regions", "phrase"),
    [
        ("MRI of the lumbar spine", ("lumbar spine",), "lumbar MRI"),
        ("Right shoulder arthroscopy", ("shoulder",), "shoulder arthroscopy"),
        ("L5-S1 ESI", ("lumbar spine",), "lumbar epidural steroid injection"),
        ("Tramadol 50mg #60", ("lumbar spine",), "Tramadol"),
        ("MRI of the cervical and lumbar spine", ("cervical spine", "lumbar spine"),
         "cervical and lumbar MRI"),
        ("Physical therapy", ("cervical spine", "thoracic spine", "lumbar spine"),
         "cervical, thoracic and lumbar physical therapy"),
        ("MR arthrogram", ("shoulder",), "shoulder MR arthrogram"),
        ("EMG/NCV", ("upper extremity",), "upper extremity EMG/NCV"),
        ("TENS unit", ("lumbar spine",), "TENS unit"),
        ("Physical therapy", (), "Physical therapy"),
        ("Spine surgery consultation", ("lumbar spine",), "lumbar spine surgery consultation"),
    ],
)  # fmt: skip
def test_phrase(treatment: str, regions: tuple[str, ...], phrase: str) -> None:
    assert concept_phrase(treatment_concept(treatment), regions) == phrase


@pytest.mark.parametrize(
    ("treatment", "injury", "regions"),
    [
        ("MRI of the lumbar spine", ("knee",), ("lumbar spine",)),
        ("Physical therapy 6 sessions", ("cervical spine", "lumbar spine"),
         ("cervical spine", "lumbar spine")),
        ("MRI of the left lower extremity", ("knee",), ("knee",)),
        ("EMG of the right upper extremity", ("cervical spine", "shoulder"),
         ("upper extremity",)),
        ("Tramadol 50mg", ("lumbar spine",), ()),
        ("Bilateral hearing aids", ("head",), ("head",)),
        ("Acupuncture 12 sessions", (), ()),
    ],
)  # fmt: skip
def test_regions_in_context(
    treatment: str, injury: tuple[str, ...], regions: tuple[str, ...]
) -> None:
    assert concept_regions(treatment, treatment_concept(treatment), injury) == regions


def test_every_concept_is_complete_and_keys_are_unique() -> None:
    every = concepts()
    keys = [concept.key for concept in every]
    assert len(keys) == len(set(keys))
    assert len([key for key in keys if key.startswith("drug:")]) >= 150
    for concept in every:
        assert isinstance(concept, Concept)
        assert concept.key and concept.label and concept.group
        assert concept.key == concept.key.lower() and " " not in concept.key
    assert not is_regional(treatment_concept("Norco 10/325mg"))
    assert is_regional(treatment_concept("MRI lumbar"))


def test_explanations_name_the_deciding_rule() -> None:
    assert explain_concept("MRI of the knee")[1] == "rule mri: keyword 'MRI*'"
    assert "norco" in explain_concept("Norco 10/325 #60")[1]
    assert "topical" in explain_concept("Ketoprofen 20% cream")[1]
