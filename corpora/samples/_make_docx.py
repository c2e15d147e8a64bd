"""Regenerate the sample Word notes in corpora/samples/docx/.

Every note's text lives in this file, so the .docx files can be rebuilt at any
time with:

    .venv/bin/python corpora/samples/_make_docx.py

All people, phone numbers, emails and addresses are invented. The ``pii`` list
of each note records the invented personal values it contains (they are also
listed in seeded_pii.json).

Layout of each document: one paragraph per ``Key: value`` metadata line, one
empty paragraph, then the body paragraphs. Two notes also carry a two-column
Question | Answer table after the body.
"""
import datetime
import io
import zipfile
from pathlib import Path

from docx import Document

OUT = Path(__file__).resolve().parent / "docx"

NOTES = [
    {
        "file": "BC-0131-northgate-sewing-group.docx",
        "meta": [("ID", "BC-0131"), ("Conversationalist", "Nasreen Akhtar"),
                 ("Organisation", "Kelvale Council, Adult Social Care"), ("Setting", "community"),
                 ("Area", "Northgate"), ("Postcode_district", "KV2"), ("Date", "2022-08-02"),
                 ("Age_band", "35-44"), ("Residents", "1"), ("Consent_to_quote", "yes"), ("Language", "en")],
        "body": [
            "Women's sewing group at Northgate Community Room. Mum of four, moved here from Bradford 5 years ago.",
            "Good: the sewing group \"gave me friends\", the ESOL class at the library, the park on Northgate Rd has been done up.",
            "Better: doesn't feel safe walking back after dark - lighting on the cut-through to Alma St is broken and men hang around there. Her eldest (16) wants to be a nurse and wants work experience at the hospital but doesn't know how to get it. Housing - 6 of them in a 2 bed, on the list 4 years.",
        ],
        "pii": [],
    },
    {
        "file": "BC-0132-ryecroft-library-campaign.docx",
        "meta": [("ID", "BC-0132"), ("Conversationalist", "Lorraine Fothergill"),
                 ("Organisation", "Kelvale Council, Libraries and Information"), ("Setting", "community"),
                 ("Area", "Ryecroft"), ("Postcode_district", "KV10"), ("Date", "2022-06-07"),
                 ("Age_band", "55-64"), ("Residents", "1"), ("Consent_to_quote", "yes"), ("Language", "en")],
        "body": [
            "Conversation at the Ryecroft Post Office counter with a retired printer who has been campaigning for a library in Ryecroft since the old one on Station Road closed in 2011.",
            "He was very clear and I've put his answers into the table as near to his words as I could.",
        ],
        "table": [
            ("Question", "Answer"),
            ("What's strong about your area?", "\"Ryecroft people stick together. When the library shut we ran a book swap in the church for six years.\" The park. The post office, which is the last place you can talk to someone face to face."),
            ("What would make it better for the next generation?", "A library again - even two rooms in the pavilion. Somewhere kids can do homework, use a computer, get help with forms. Free wifi. A local history corner - Ryecroft had a railway station and two brickworks and nobody under forty knows."),
            ("Anything else?", "\"Don't put everything online. Half my street hasn't got the internet and the other half can't afford it now.\""),
        ],
        "pii": [],
    },
    {
        "file": "BC-0133-kelvale-college-staff.docx",
        "meta": [("ID", "BC-0133"), ("Conversationalist", "Ranjit Sandhu"),
                 ("Organisation", "Kelvale Council, Employment and Skills"), ("Setting", "work"),
                 ("Area", "Northgate"), ("Postcode_district", "KV2"), ("Date", "2022-06-21"),
                 ("Age_band", "45-54"), ("Residents", "3"), ("Consent_to_quote", "yes"), ("Language", "en")],
        "body": [
            "Kelvale College, Northgate campus - three lecturers (construction, health and social care, ESOL) in the staff room at lunch. All live in the district.",
            "What's good: the students - \"Kelvale kids are grafters when they get the chance\". Employers on the business park are finally talking to the college. The new engineering block.",
            "What would make it better: transport is the number one barrier, students from Lowther Dale and Brackenhill spend two hours a day on buses and drop out. ESOL waiting list is over 200 people. Apprenticeship levy money going back to the Treasury because small firms can't manage the paperwork. Maths resits demoralising for 16-18s.",
            "For the next generation: a proper careers offer in every school from Year 7, and a bus pass that covers college for everyone up to 24.",
        ],
        "pii": [],
    },
    {
        "file": "BC-0134-castlebeck-carers-group.docx",
        "meta": [("ID", "BC-0134"), ("Conversationalist", "Helen Brannigan"),
                 ("Organisation", "Holmefield Health Centre (NHS)"), ("Setting", "community"),
                 ("Area", "Castlebeck"), ("Postcode_district", "KV6"), ("Date", "2022-07-11"),
                 ("Age_band", "65-74"), ("Residents", "1"), ("Language", "en")],
        "body": [
            "Castlebeck carers' group (monthly, at the Methodist hall). Spoke to Janice Ormondroyd who cares for her husband (Parkinson's) and her sister.",
            "What's good: this group - \"the only two hours a month that are mine\". The Parkinson's nurse. Her neighbours who sit with him so she can go to the shops.",
            "What would make it better: respite that you can actually book. Carers' assessment took 5 months. GP doesn't flag her as a carer so she never gets the flu jab reminder. Social care agency cancelled 3 times in a fortnight. Money - she's had to stop her part-time job and the Carer's Allowance is \"an insult\".",
            "Janice would like to be on the carers' reference group if there is one - 07700 900 654.",
        ],
        "pii": [("Janice Ormondroyd", "PERSON"), ("Janice", "PERSON"), ("07700 900 654", "PHONE")],
    },
    {
        "file": "BC-0135-brackenhill-heritage-day.docx",
        "meta": [("ID", "BC-0135"), ("Conversationalist", "Priya Shah"),
                 ("Organisation", "Kelvale Council, Communities team"), ("Setting", "community"),
                 ("Area", "Brackenhill"), ("Postcode_district", "KV9"), ("Date", "2022-09-03"),
                 ("Age_band", "65-74"), ("Residents", "2"), ("Consent_to_quote", "yes"), ("Language", "en")],
        "body": [
            "Heritage open day at the Brackenhill Miners' Welfare. Raymond Hirst (ex-NUM branch secretary) and his wife showed me round the banner room.",
            "Raymond wants to set up a Brackenhill history archive and asked for the heritage grant details: raymond.hirst@example.org",
        ],
        "table": [
            ("Question", "Answer"),
            ("What's good about Brackenhill?", "The Welfare and the brass band. The 1984-85 soup kitchen was run from this building and people still talk about it - \"that's who we are\". The gala."),
            ("What would make it better for the next generation?", "Save the building - roof, heating, accessible toilet. Get the schools in to record older people's memories before they're gone. Jobs with some dignity in them. The X42 back up the hill."),
            ("Who else should we talk to?", "The young mums' group that meets here on Wednesdays - \"they're the future of this place, not us\"."),
        ],
        "pii": [("Raymond Hirst", "PERSON"), ("Raymond", "PERSON"), ("raymond.hirst@example.org", "EMAIL")],
    },
    {
        "file": "BC-0136-lowther-dale-end-of-life.docx",
        "meta": [("ID", "BC-0136"), ("Conversationalist", "Marcia Edwards-Lyle"),
                 ("Organisation", "Kelvale Hospice, Community Engagement"), ("Setting", "social"),
                 ("Area", "Lowther Dale"), ("Postcode_district", "KV8"), ("Date", "2022-08-06"),
                 ("Age_band", "45-54"), ("Residents", "1"), ("Consent_to_quote", "no"), ("Language", "en")],
        "body": [
            "Lowther Dale village hall coffee afternoon. Woman whose father died at home in the Dale last winter.",
            "She said the best thing about the Dale is that \"nobody is ever really on their own here - the farmer down the road ploughed the snow so the nurses could get to Dad\". The church and the cricket club rallied round.",
            "What would make it better: out-of-hours care in rural areas - they waited 6 hours for a nurse one night. Better phone signal so you can actually call for help. A hospice at home service that covers the Dale properly. Practical help for families with the paperwork after a death.",
            "For the next generation she'd like people to be able to grow old and die in the Dale if they want to, \"not be shipped off to a home in Kelvale\".",
        ],
        "pii": [],
    },
    {
        "file": "BC-0137-ashby-moor-centre-agm.docx",
        "meta": [("ID", "BC-0137"), ("Conversationalist", "Aileen Dobson"),
                 ("Organisation", "Voluntary Action Kelvale"), ("Setting", "community"),
                 ("Area", "Ashby Moor"), ("Postcode_district", "KV3"), ("Date", "2022-07-18"),
                 ("Age_band", "55-64"), ("Residents", "1"), ("Consent_to_quote", "yes"), ("Language", "en")],
        "body": [
            "Ashby Moor Community Centre AGM - chatted afterwards with the treasurer, Beverley Thornycroft (12 Colliery Row, KV3 6DS, 07700 900 905).",
            "Good: 30 regular volunteers, luncheon club, baby group, the dementia choir. \"We're open six days a week on a shoestring and a lot of love.\" Ashby Moor people give - the tombola raised more than last year despite everything.",
            "Better: the energy bill has gone from £4k to a quote of £13k for next year. They need capital money for insulation and solar panels. Volunteers are ageing - need younger trustees. Would like the council to do a proper lease (they're on a rolling one-year licence, which stops them applying for grants).",
            "For the next generation: \"that there's still a centre here in 20 years\".",
        ],
        "pii": [("Beverley Thornycroft", "PERSON"), ("12 Colliery Row", "ADDRESS"), ("KV3 6DS", "POSTCODE"), ("07700 900 905", "PHONE")],
    },
    {
        "file": "BC-0138-highways-depot.docx",
        "meta": [("ID", "BC-0138"), ("Conversationalist", "Gareth Ollerenshaw"),
                 ("Organisation", "Kelvale Council, Highways and Transport"), ("Setting", "work"),
                 ("Area", "Kelvale Town Centre"), ("Postcode_district", "KV1"), ("Date", "2022-05-25"),
                 ("Residents", "4"), ("Consent_to_quote", "yes"), ("Language", "en")],
        "body": [
            "Highways depot mess room, 7am. Four of the lads (all Kelvale residents - Castlebeck, Northgate, Brackenhill x2).",
            "Good - pride in the job, \"we know every pothole by name\". Kelvale's got good bones, nice stone buildings. Market hall revamp was done well. Brackenhill lads say the community there is second to none.",
            "Better - resurfacing not patching (\"we fill the same hole four times a year\"). Gully cleaning budget cut so roads flood. Parking on pavements in Northgate means they can't get the sweeper through. Buses - one of them has a daughter who can't get to Kelvale College from Brackenhill without two buses.",
            "Next generation - apprenticeships in highways/civils, they're all over 45 and there's no one coming through.",
        ],
        "pii": [],
    },
    {
        "file": "BC-0139-ryecroft-community-fridge.docx",
        "meta": [("ID", "BC-0139"), ("Conversationalist", "Bethany Cawthorne"),
                 ("Organisation", "Kelvale Foodbank (volunteer)"), ("Setting", "community"),
                 ("Area", "Ryecroft"), ("Postcode_district", "KV10"), ("Date", "2022-09-19"),
                 ("Age_band", "25-34"), ("Residents", "2"), ("Consent_to_quote", "yes"), ("Language", "en")],
        "body": [
            "Ryecroft community fridge (Mondays at the Methodist). Two mums, both working.",
            "What's good: the fridge - \"no forms, no questions\". The supermarket donations. The park for the kids, it's free. The school has a uniform swap now.",
            "What would make it better: childcare - one pays more in nursery fees than her rent. Energy - both on prepay, both scared of winter. Somewhere to go that's warm and free with the kids after school. Cheaper buses - £2.20 single for a 10 minute ride.",
            "Next generation: \"that they don't have to queue for food like us\".",
        ],
        "pii": [],
    },
    {
        "file": "BC-0140-northgate-youth-football.docx",
        "meta": [("ID", "BC-0140"), ("Conversationalist", "Kwame Mensah"),
                 ("Organisation", "Stanwick Green Youth Club"), ("Setting", "community"),
                 ("Area", "Northgate"), ("Postcode_district", "KV2"), ("Date", "2022-08-24"),
                 ("Age_band", "25-34"), ("Residents", "1"), ("Consent_to_quote", "yes"), ("Language", "en")],
        "body": [
            "Northgate mosque youth football - chatted to the coach, Zain Hussain, during the half-time break (u14s).",
            "What's good: 70 kids every Saturday, all backgrounds. Parents volunteer. \"Football's the thing that brings Northgate together.\" The Eid in the Park tournament.",
            "What would make it better: pitches - the council pitch on Northgate Rd is waterlogged half the year and changing rooms are locked. Floodlights so they can train in winter. Girls' team needs female coaches. Youth club closed so there's nothing on weeknights.",
            "Zain happy to help with a youth forum - zain.hussain@example.com.",
        ],
        "pii": [("Zain Hussain", "PERSON"), ("Zain", "PERSON"), ("zain.hussain@example.com", "EMAIL")],
    },
    {
        "file": "BC-0141-school-nursing-team.docx",
        "meta": [("ID", "BC-0141"), ("Conversationalist", "Siobhan McAteer"),
                 ("Organisation", "Kelvale and District NHS Trust, Community Nursing"), ("Setting", "work"),
                 ("Area", "Castlebeck"), ("Postcode_district", "KV6"), ("Date", "2022-09-21"),
                 ("Age_band", "35-44"), ("Residents", "2"), ("Consent_to_quote", "yes"), ("Language", "en")],
        "body": [
            "School nursing team base, Castlebeck - two school nurses who cover Castlebeck and Stanwick Green secondaries.",
            "Strong: schools really want to help, the pastoral staff are brilliant. Castlebeck Leisure Centre free swim for year 7s this summer was a success. Parents are \"fierce about their kids\".",
            "Better: emotional health is the biggest issue by a mile - self-harm referrals up, anxiety, school refusal since lockdown. CAMHS threshold is so high most kids get bounced back. They'd like mental health support teams in every school, not just some. Vaping in Year 8. Kids coming to school hungry.",
            "Next generation: \"give them hope - jobs, things to do, somewhere to be\".",
        ],
        "pii": [],
    },
    {
        "file": "BC-0142-ryecroft-bowls-club.docx",
        "meta": [("ID", "BC-0142"), ("Conversationalist", "Derek Pashley"),
                 ("Organisation", "Age UK Kelvale (volunteer)"), ("Setting", "social"),
                 ("Area", "Ryecroft"), ("Postcode_district", "KV10"), ("Date", "2022-06-25"),
                 ("Age_band", "75+"), ("Residents", "3"), ("Consent_to_quote", "yes"), ("Language", "en")],
        "body": [
            "Saturday afternoon at Ryecroft Park bowls club - three members, two men and a lady, all widowed.",
            "They all said the club is their lifeline. One gentleman said he hadn't spoken to anyone for four days before a neighbour dragged him down here. The park is looking the best it has in years, and the Friends group do a grand job.",
            "What would make it better: the clubhouse needs a new roof and a ramp. Membership is dropping - they'd love younger people to try it. The 110 used to drop them at the gate, now it's a walk from the main road. Benches. A proper toilet in the park. More for men - \"we're no good at asking for help\".",
            "For the next generation: \"keep the green - once it's gone it's gone\".",
        ],
        "pii": [],
    },
]

# A Microsoft Teams transcript downloaded as .docx: after the metadata, a title and the date,
# then for each turn a "Name   0:01:02" paragraph and what was said. It goes in transcripts/.
NOTES.append({
    "file": "kelvale-market-hall-teams-2022-07-28.docx",
    "dir": "transcripts",
    "meta": [("ID", "BC-0310"), ("Conversationalist", "Marcia Edwards-Lyle"),
             ("Organisation", "Kelvale Council, Economic Development"), ("Setting", "work"),
             ("Area", "Kelvale Town Centre"), ("Postcode_district", "KV1"), ("Date", "2022-07-28"),
             ("Residents", "2"), ("Consent_to_quote", "yes"), ("Language", "en")],
    "body": [
        "Edwards-Lyle, Marcia   0:00:04", "Morning both, can you hear me alright? Thank you for joining.",
        "Dev Patel   0:00:09", "Yeah, loud and clear.",
        "Edwards-Lyle, Marcia   0:00:12", "Great. So, what's strong about the town centre, from where you sit?",
        "Dev Patel   0:00:18", "Erm, the Market Hall, honestly. Saturday mornings it's rammed, and the street food nights brought younger people back into town.",
        "Agnieszka Nowak   0:00:31", "Mm, yeah. And the traders look after each other. When my fridge broke, the butcher kept my stock cold for a week.",
        "Edwards-Lyle, Marcia   0:00:44", "Right, okay. And what would make it better for the next generation?",
        "Agnieszka Nowak   0:00:50", "Cheaper rents for a first stall. Young people have ideas but the deposit and the first three months kill them.",
        "Dev Patel   0:01:02", "And parking, you know, the car park shuts at six, so nobody comes for the evening market.",
        "Edwards-Lyle, Marcia   0:01:12", "Okay. Thanks so much, both. Bye for now.",
    ],
    "pii": [("Marcia Edwards-Lyle", "CONVERSATIONALIST"), ("Dev Patel", "PERSON"), ("Agnieszka Nowak", "PERSON")],
})

PII = [(value, label, n.get("dir", "docx") + "/" + n["file"]) for n in NOTES for value, label in n["pii"]]


def build(note, path):
    doc = Document()
    for key, value in note["meta"]:
        doc.add_paragraph(f"{key}: {value}")
    doc.add_paragraph("")
    for para in note["body"]:
        doc.add_paragraph(para)
    if note.get("table"):
        rows = note["table"]
        table = doc.add_table(rows=len(rows), cols=2)
        table.style = "Table Grid"
        for i, (q, a) in enumerate(rows):
            table.cell(i, 0).text = q
            table.cell(i, 1).text = a
    # fixed core properties and zip timestamps so rebuilds are byte-identical
    fixed = datetime.datetime(2022, 10, 1, 9, 0, 0)
    doc.core_properties.author = "kilvoice sample corpus"
    doc.core_properties.last_modified_by = "kilvoice sample corpus"
    doc.core_properties.created = fixed
    doc.core_properties.modified = fixed
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(2022, 10, 1, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, zin.read(item.filename))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for note in NOTES:
        build(note, OUT.parent / note.get("dir", "docx") / note["file"])
    print(f"wrote {len(NOTES)} docx files under {OUT.parent}")


if __name__ == "__main__":
    main()
