"""Words and phrases for generated texts: English, Dutch and French crisis reporting, with slots.

Texts are put together from these pieces so that full-text search meets both very common words
(`COMMON_WORD` turns up in a large share of reports) and a long tail (places, names, numbers). The
rare word `RARE_WORD` is used by nothing here: the generator places it in a known handful of records.
"""

COMMON_WORD = "security"
RARE_WORD = "heliograph"

# Capitals of the countries that get a generated embassy (ISO 3166-1 alpha-3: capital).


def _split(value: str, separator: str | None = None) -> list[str]:
    return value.split(separator)


CAPITALS = dict(
    item.split(":")
    for item in _split(
        "AFG:Kabul;ALB:Tirana;ARG:Buenos Aires;ARM:Yerevan;AUS:Canberra;AUT:Vienna;AZE:Baku;BGD:Dhaka;"
        "BGR:Sofia;BHR:Manama;BIH:Sarajevo;BLR:Minsk;BOL:La Paz;BRA:Brasilia;BWA:Gaborone;CAF:Bangui;"
        "CAN:Ottawa;CHE:Bern;CHL:Santiago;COG:Brazzaville;CRI:San Jose;CUB:Havana;CYP:Nicosia;CZE:Prague;"
        "DNK:Copenhagen;DOM:Santo Domingo;ECU:Quito;ERI:Asmara;ESP:Madrid;EST:Tallinn;FIN:Helsinki;"
        "GAB:Libreville;GEO:Tbilisi;GHA:Accra;GRC:Athens;GTM:Guatemala City;HND:Tegucigalpa;HRV:Zagreb;"
        "HTI:Port-au-Prince;HUN:Budapest;IDN:Jakarta;IRL:Dublin;ISL:Reykjavik;ITA:Rome;JAM:Kingston;"
        "KAZ:Astana;KGZ:Bishkek;KHM:Phnom Penh;KOR:Seoul;KWT:Kuwait City;LAO:Vientiane;LBR:Monrovia;"
        "LBY:Tripoli;LKA:Colombo;LSO:Maseru;LTU:Vilnius;LUX:Luxembourg;LVA:Riga;MDA:Chisinau;MDG:Antananarivo;"
        "MEX:Mexico City;MKD:Skopje;MLT:Valletta;MMR:Naypyidaw;MNE:Podgorica;MNG:Ulaanbaatar;MRT:Nouakchott;"
        "MWI:Lilongwe;MYS:Kuala Lumpur;NAM:Windhoek;NIC:Managua;NOR:Oslo;NPL:Kathmandu;NZL:Wellington;"
        "OMN:Muscat;PAN:Panama City;PER:Lima;PHL:Manila;PNG:Port Moresby;PRT:Lisbon;PRY:Asuncion;QAT:Doha;"
        "ROU:Bucharest;SDN:Khartoum;SGP:Singapore;SLE:Freetown;SLV:San Salvador;SOM:Mogadishu;SRB:Belgrade;"
        "SSD:Juba;SVK:Bratislava;SVN:Ljubljana;SWE:Stockholm;SYR:Damascus;TCD:N'Djamena;TGO:Lome;"
        "THA:Bangkok;TJK:Dushanbe;TKM:Ashgabat;TLS:Dili;TTO:Port of Spain;TWN:Taipei;URY:Montevideo;"
        "UZB:Tashkent;VEN:Caracas;VNM:Hanoi;YEM:Sanaa;ZMB:Lusaka;ZWE:Harare;GMB:Banjul;GNB:Bissau;"
        "CPV:Praia;MLI:Bamako;SSD:Juba;DJI:Djibouti;SWZ:Mbabane;BDI:Gitega;GNQ:Malabo;STP:Sao Tome;"
        "COM:Moroni;MUS:Port Louis;SYC:Victoria;KEN:Nairobi;ARE:Abu Dhabi;PSE:Ramallah",
        ";",
    )
)

# Second cities for consulates, once every country has an embassy.
SECOND_CITIES = [
    ("USA", "New York"),
    ("USA", "Los Angeles"),
    ("USA", "Atlanta"),
    ("CAN", "Montreal"),
    ("CAN", "Toronto"),
    ("BRA", "Sao Paulo"),
    ("BRA", "Rio de Janeiro"),
    ("CHN", "Shanghai"),
    ("CHN", "Guangzhou"),
    ("CHN", "Hong Kong"),
    ("IND", "Mumbai"),
    ("IND", "Chennai"),
    ("ZAF", "Johannesburg"),
    ("ZAF", "Cape Town"),
    ("MAR", "Casablanca"),
    ("TUR", "Izmir"),
    ("DEU", "Cologne"),
    ("DEU", "Munich"),
    ("ESP", "Barcelona"),
    ("ESP", "Malaga"),
    ("FRA", "Lille"),
    ("FRA", "Marseille"),
    ("FRA", "Lyon"),
    ("ITA", "Milan"),
    ("NLD", "Amsterdam"),
    ("NLD", "Rotterdam"),
    ("GBR", "Edinburgh"),
    ("AUS", "Sydney"),
    ("RUS", "Saint Petersburg"),
    ("NGA", "Lagos"),
    ("COD", "Goma"),
    ("COD", "Bukavu"),
    ("MEX", "Guadalajara"),
    ("IDN", "Surabaya"),
    ("VNM", "Ho Chi Minh City"),
    ("ARE", "Dubai"),
    ("SAU", "Jeddah"),
    ("JPN", "Osaka"),
    ("KOR", "Busan"),
    ("PAK", "Karachi"),
    ("EGY", "Alexandria"),
    ("KEN", "Mombasa"),
    ("ETH", "Dire Dawa"),
    ("UKR", "Odesa"),
    ("POL", "Krakow"),
    ("CHE", "Geneva"),
    ("CHE", "Zurich"),
    ("LUX", "Esch-sur-Alzette"),
]

# Countries in crisis: more field reports, and the task forces of the last years.
CRISIS_COUNTRIES = _split(
    "COD RWA BDI UGA SSD SDN SOM ETH ERI YEM SYR IRQ LBN AFG PAK MMR HTI VEN COL NIC LBY MLI BFA NER TCD "
    "CAF CMR NGA MOZ UKR MDA GEO ARM AZE PSE ISR IRN BGD LKA KEN TZA ZWE GIN SEN BEN CIV TUN EGY DZA MRT"
)

FIRST_NAMES = _split(
    "Annelies Pieter Jan Griet Koen Sofie Wout Liesbeth Jeroen Katrien Tom Elke Bram Hanne Dirk Ines Maarten "
    "Lotte Stijn Eline Joris Nele Wim Veerle Raf Leen Kobe Fien Arne Sanne Hilde Ruben Marijke Geert Lien "
    "Thomas Claire Benoit Isabelle Olivier Catherine Pascal Sophie Laurent Nathalie Julien Aurelie Cedric "
    "Valerie Nicolas Delphine Xavier Camille Gregoire Helene Jerome Pauline Francois Manon Antoine Chloe "
    "Damien Emilie Sebastien Marie Quentin Amandine Maxime Charlotte Vincent Elodie Arnaud Caroline Mehdi "
    "Yasmina Karim Samira Youssef Nadia Ayoub Fatima Amina Rachid Leila Mustafa Zeynep Emre Aleksandra"
)
LAST_NAMES = _split(
    "Peeters Janssens Maes Jacobs Mertens Willems Claes Goossens Wouters DeSmet Dubois Lambert Dupont "
    "Martin Simon Laurent Leclercq Lemaire Renard Denis Verhoeven Vermeulen Desmet Hermans VanDamme "
    "Declercq Michiels Aerts Smets Stevens Lemmens Geerts Pauwels Cools Baert Wuyts Schepens Timmermans "
    "Verlinden Claessens Evrard Hubert Jamar Pierard Marchal Colson Noel Poncelet Closset Dethier Laloux "
    "Delvaux Lambotte Heylen Vercammen Moens Raes Sels Mathieu Gerard Collard Lejeune Leroy Bertrand Bodart "
    "Dewulf Vandenberghe Lambrechts Vanhecke Coppens Segers Bogaerts Verstraete Lauwers Dumont Gilles "
    "Thiry Masson Henrard Lhoest Gillet ElAmrani Benali Yilmaz Kaya Nowak Kowalski Mukendi Kabongo"
)

TITLES_EN = [
    "Security situation in {place} deteriorates",
    "Clashes reported near {place}",
    "Humanitarian access restricted in {region}",
    "Displacement of civilians around {place}",
    "Election preparations in {country}: {topic}",
    "Armed group activity along the road to {place}",
    "Protests in {place} over {topic}",
    "Cholera outbreak declared in {region}",
    "Update on the {topic} in {country}",
    "Meeting with the governor of {region}",
    "Consular case: Belgian nationals in {place}",
    "Food insecurity worsens in {region}",
    "Border crossing at {place} closed",
    "Curfew imposed in {place}",
    "Talks between government and opposition in {place}",
    "Attack on a convoy near {place}",
    "Fuel shortages in {place}",
    "Judicial reform: {topic}",
    "Flooding in {region} affects thousands",
    "Weekly security assessment {country}",
]
TITLES_NL = [
    "Veiligheidssituatie in {place} verslechtert",
    "Ontheemding van burgers rond {place}",
    "Betogingen in {place} over {topic}",
    "Gesprek met de gouverneur van {region}",
    "Consulaire bijstand aan Belgen in {place}",
    "Grensovergang bij {place} gesloten",
    "Wekelijkse veiligheidsanalyse {country}",
    "Voedselonzekerheid neemt toe in {region}",
]
TITLES_FR = [
    "Détérioration de la situation sécuritaire à {place}",
    "Affrontements signalés près de {place}",
    "Déplacements de populations autour de {place}",
    "Manifestations à {place} contre {topic}",
    "Entretien avec le gouverneur de {region}",
    "Couvre-feu instauré à {place}",
    "Point hebdomadaire sécurité {country}",
    "Accès humanitaire restreint dans la région de {region}",
]
TOPICS = [
    "fuel prices",
    "the electoral roll",
    "the new constitution",
    "the peace agreement",
    "disarmament of militias",
    "the mining code",
    "media freedom",
    "security sector reform",
    "the ceasefire",
    "the transition roadmap",
    "internet shutdowns",
    "the cost of living",
    "detention conditions",
    "land rights",
    "the return of refugees",
]
SENTENCES_EN = [
    "The security situation in {place} has deteriorated over the past {n} days.",
    "Local sources report that armed men entered {place} during the night.",
    "Some {n} households have fled towards {place}, according to humanitarian partners.",
    "The governor of {region} met the consultation platform on {day}.",
    "Humanitarian access remains restricted on the main road between {place} and {place2}.",
    "The United Nations mission confirmed {n} incidents this week.",
    "Prices of staple food have risen sharply in {place}.",
    "Belgian nationals registered with the embassy have been advised to limit travel.",
    "Our partners in civil society express concern about {topic}.",
    "The security forces reinforced checkpoints around {place}.",
    "The electoral commission announced a new timetable for {topic}.",
    "There is no confirmation yet of casualties among civilians.",
    "The EU delegation will convene a meeting of member states on {day}.",
    "Enabel has suspended field visits in {region} until further notice.",
    "The situation calls for close monitoring and a coordinated response.",
    "A joint assessment with the defence attaché is planned for {day}.",
    "The opposition has called for demonstrations in {place} on {day}.",
    "Displaced people are sheltering in schools and churches in {place}.",
    "Cholera cases have been reported in {n} health zones.",
    "The police liaison officer reports increased crime along the border.",
    "The ministry of the interior has imposed a curfew from 22:00 to 05:00.",
    "Reports of sexual violence against civilians in {region} are increasing.",
    "The bridge near {place} was damaged and traffic is diverted.",
    "Negotiations on {topic} are expected to resume next month.",
    "We recommend raising this with the steering group.",
    "Security of staff and premises has been reviewed with the regional security officer.",
    "The food security outlook for {region} is poor for the coming season.",
    "Militia leaders met in {place} to discuss {topic}.",
    "The central bank restricted access to foreign currency.",
    "Journalists covering events in {place} have been detained.",
    "No incidents were reported at the mission premises.",
    "The humanitarian coordinator warned of a funding gap of {n} million dollars.",
    "The national army announced an offensive against rebel positions near {place}.",
    "Belgian-funded projects in {region} continue with reduced staff.",
    "Contacts with the host authorities remain constructive.",
]
SENTENCES_NL = [
    "De veiligheidssituatie in {place} is de voorbije {n} dagen verslechterd.",
    "Volgens lokale bronnen zijn gewapende mannen {place} binnengetrokken.",
    "Ongeveer {n} gezinnen zijn gevlucht richting {place}.",
    "De gouverneur van {region} ontmoette het overlegplatform op {day}.",
    "Humanitaire toegang blijft beperkt op de weg tussen {place} en {place2}.",
    "Belgen ter plaatse wordt aangeraden verplaatsingen te beperken.",
    "De prijzen van basisvoedsel zijn sterk gestegen in {place}.",
    "Het middenveld uit bezorgdheid over {topic}.",
    "De veiligheidsdiensten hebben de controleposten rond {place} versterkt.",
    "Wij stellen voor dit aan de stuurgroep voor te leggen.",
    "Er zijn nog geen bevestigde burgerslachtoffers.",
    "Ontheemden vinden onderdak in scholen en kerken in {place}.",
]
SENTENCES_FR = [
    "La situation sécuritaire à {place} s'est détériorée ces {n} derniers jours.",
    "Selon des sources locales, des hommes armés sont entrés à {place} pendant la nuit.",
    "Quelque {n} ménages ont fui vers {place}, selon les partenaires humanitaires.",
    "Le gouverneur de {region} a rencontré la plateforme de concertation le {day}.",
    "L'accès humanitaire reste restreint sur la route entre {place} et {place2}.",
    "Il est conseillé aux ressortissants belges de limiter leurs déplacements.",
    "Les prix des denrées de base ont fortement augmenté à {place}.",
    "La société civile exprime son inquiétude au sujet de {topic}.",
    "Les forces de sécurité ont renforcé les points de contrôle autour de {place}.",
    "Nous proposons de soumettre ce point au groupe de pilotage.",
    "Aucune victime civile n'est confirmée à ce stade.",
    "Les déplacés s'abritent dans des écoles et des églises à {place}.",
]
BULLETS = [
    "follow-up with the EU delegation",
    "update the travel advice",
    "inform the crisis centre",
    "contact the regional security officer",
    "prepare a briefing for the steering group",
    "verify the information with partners",
    "check the warden network",
    "review staffing of the mission",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

DECISION_TITLES = [
    "Strengthen the presence of the platform in {place}",
    "Update the travel advice for {country}",
    "Support the electoral process in {country}",
    "Reinforce humanitarian funding for {region}",
    "Prepare contingency plans for the evacuation of Belgian nationals from {country}",
    "Suspend bilateral cooperation projects in {region}",
    "Second a police expert to the EU mission in {country}",
    "Coordinate a common position on {topic}",
    "Review the priority tier of {country}",
    "Raise {topic} with the host authorities",
]
ACTION_TITLES = [
    "Draft a note for the minister",
    "Brief the EU partners",
    "Update the travel advice",
    "Identify implementing partners",
    "Prepare a budget proposal",
    "Organise a video conference with the mission",
    "Report back to the steering group",
    "Map the warden network",
    "Second an expert",
    "Verify the list of registered nationals",
]
LESSON_TITLES = [
    "Evacuation lists were out of date",
    "Late sharing of early warnings between departments",
    "Unclear chairing arrangements at the start",
    "Secure communications with the mission failed",
    "Budget lines of the departments were not aligned",
    "Press lines were released before clearance",
    "Field reports were not triaged during holidays",
    "Good cooperation with EU partners on consular support",
    "Liaison with the host country's police worked well",
    "Roster of standby experts lacked language skills",
]
LESSON_PARTS = [
    "During the crisis in {country} the {topic} was not coordinated between departments.",
    "The task force met weekly but decisions reached the missions late.",
    "Several departments kept their own lists, which differed.",
    "The consultation platform in {place} reported early, but the signal was not acted upon.",
    "Secure lines were unavailable for {n} days.",
    "Partners appreciated the single point of contact.",
    "Recommend a standing procedure and an annual exercise.",
    "The steering group should review this at its next meeting.",
]
THEME_WORDS = {
    "diplomacy": "diplomacy",
    "development": "development",
    "defence": "defence",
    "law": "rule of law",
    "order": "public order",
    "humanitarian": "humanitarian aid",
    "economic": "economy",
    "consular": "consular assistance",
}
FUNCTIONS = {
    "FA": [
        "Desk officer",
        "Political counsellor",
        "First secretary",
        "Attaché",
        "Policy officer",
        "Legal adviser",
        "Crisis centre duty officer",
        "Consular officer",
    ],
    "DEF": ["Staff officer", "Defence attaché", "Analyst", "Liaison officer", "Planner"],
    "POL": ["Police liaison officer", "Commissioner", "Training expert"],
    "JUST": ["Magistrate", "Legal adviser", "Liaison magistrate"],
    "INT": ["Migration officer", "Crisis centre analyst", "Visa officer"],
    "ENABEL": ["Resident representative", "Programme manager", "Intervention manager"],
}
DOMAINS = {
    "FA": "diplobel.example",
    "DEF": "mil.example",
    "JUST": "justice.fgov.example",
    "INT": "ibz.fgov.example",
    "POL": "police.fgov.example",
    "CHAN": "premier.fgov.example",
    "FIN": "minfin.fgov.example",
    "ECO": "economie.fgov.example",
    "BOSA": "bosa.fgov.example",
    "HEALTH": "health.fgov.example",
    "EMPL": "employment.fgov.example",
    "ENABEL": "enabel.example",
    "FLA": "vlaanderen.example",
    "FIT": "fitagency.example",
    "WAL": "wallonie.example",
    "AWEX": "awex.example",
    "BRU": "brussels.example",
    "HUB": "hub.example",
    "FWB": "fwb.example",
    "WBI": "wbi.example",
    "OSTB": "ostbelgien.example",
}
