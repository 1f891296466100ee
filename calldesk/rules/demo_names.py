"""The demo's names, per country in its own words: cities (with the phone area a number of
that city is drawn from), first names, surnames, company name templates with their branche, and
job titles; and the small fixed sets the benchmark rows are made of. Data only: the generation is
calldesk/rules/demo.py's, and a change here changes every demo store.
"""

# --------------------------------------------------------------------------- the Netherlands

NL_CITIES: tuple[tuple[str, str], ...] = (
    ("Amsterdam", "20"), ("Amsterdam", "20"), ("Rotterdam", "10"), ("Rotterdam", "10"),
    ("Utrecht", "30"), ("Eindhoven", "40"), ("Groningen", "50"), ("Den Haag", "70"),
    ("Breda", "76"), ("Maastricht", "43"), ("Haarlem", "23"), ("Nijmegen", "24"),
    ("Arnhem", "26"), ("Leiden", "71"), ("Zwolle", "38"), ("Enschede", "53"),
    ("Leeuwarden", "58"), ("Den Bosch", "73"), ("Dordrecht", "78"),
    ("Amersfoort", "33"), ("Tilburg", "13"),
)

NL_FIRST_NAMES: tuple[str, ...] = (
    "Jan", "Pieter", "Sanne", "Lotte", "Daan", "Bram", "Thijs", "Femke", "Eva", "Sem",
    "Lucas", "Anouk", "Marieke", "Henk", "Gerrit", "Ingrid", "Wim", "Kees", "Joost",
    "Ruud", "Marloes", "Esther", "Mark", "Martijn", "Jeroen", "Niels", "Sven", "Ilse",
    "Iris", "Linda", "Sandra", "Petra", "Monique", "Erik", "Rob", "Dennis", "Willemijn",
    "Floor", "Noor", "Fleur", "Julia", "Emma", "Tim", "Koen", "Maarten", "Hanneke",
    "Zoë", "Chloë", "Daniëlle", "Noël", "René", "André", "Anaïs", "Inès", "Ömer",
    "Özlem", "Mohamed", "Fatima", "Yasmina", "Priya", "Rajesh", "Wei", "Hüseyin",
)

NL_SURNAMES: tuple[str, ...] = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
    "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters",
    "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
    "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan",
    "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn",
    "van der Heijden", "Schouten", "van Beek", "Willems", "van Vliet", "van de Ven",
    "Hoekstra", "Maas", "Verhoeven", "Koster", "van Dam", "van der Wal", "Prins",
    "Blom", "Huisman", "ter Horst", "ter Haar", "Hofstede", "Kramer", "Postma",
    "Yilmaz", "Öztürk", "El Amrani", "Bouzid", "Nguyen", "Lefèvre", "Kooiman",
)

NL_COMPANIES: tuple[tuple[str, str], ...] = (
    ("{last} Automatisering", "ICT"),
    ("{last} ICT B.V.", "ICT"),
    ("{city} IT Services", "ICT"),
    ("{last} & {last2} Software", "ICT"),
    ("Netwerkbeheer {city}", "ICT"),
    ("Bouwbedrijf {last}", "Bouw"),
    ("{last} Bouw B.V.", "Bouw"),
    ("Aannemersbedrijf {last} & Zn.", "Bouw"),
    ("{city} Bouwgroep", "Bouw"),
    ("{last} Logistiek", "Logistiek"),
    ("Hofstede Logistiek", "Logistiek"),
    ("Transportbedrijf {last} B.V.", "Logistiek"),
    ("{city} Distributie", "Logistiek"),
    ("{last} Transport & Opslag", "Logistiek"),
    ("Zorggroep {region}", "Zorg"),
    ("Thuiszorg {city}", "Zorg"),
    ("Huisartsenpraktijk {last}", "Zorg"),
    ("Tandartspraktijk {city}", "Zorg"),
    ("Zorgcentrum De {thing}", "Zorg"),
    ("{last} Groothandel B.V.", "Groothandel"),
    ("Groothandel {last}", "Groothandel"),
    ("{city} Foodservice", "Groothandel"),
    ("{last} Technische Groothandel", "Groothandel"),
    ("{last} & {last2} Advocaten", "Zakelijke dienstverlening"),
    ("Adviesbureau {last}", "Zakelijke dienstverlening"),
    ("{city} Consultancy", "Zakelijke dienstverlening"),
    ("Uitzendbureau {city}", "Zakelijke dienstverlening"),
    ("Schoonmaakbedrijf {last}", "Zakelijke dienstverlening"),
    ("Café {first}", "Horeca"),
    ("Restaurant De {thing}", "Horeca"),
    ("Hotel {city} Centrum", "Horeca"),
    ("Eetcafé De {thing}", "Horeca"),
    ("Brasserie {last}", "Horeca"),
    ("{city} College", "Onderwijs"),
    ("Basisschool De {thing}", "Onderwijs"),
    ("Taalinstituut {last}", "Onderwijs"),
    ("Stichting Openbaar Onderwijs {region}", "Onderwijs"),
    ("Opleidingscentrum {city}", "Onderwijs"),
    ("{last} Metaalbewerking B.V.", "Industrie"),
    ("{city} Kunststoffen", "Industrie"),
    ("{last} Machinebouw", "Industrie"),
    ("Drukkerij {last}", "Industrie"),
    ("{last} Verpakkingen B.V.", "Industrie"),
    ("{last} Financieel Advies", "Financiële dienstverlening"),
    ("Hypotheekhuis {city}", "Financiële dienstverlening"),
    ("{last} Verzekeringen", "Financiële dienstverlening"),
    ("Administratiekantoor {last}", "Financiële dienstverlening"),
    ("{last} Accountants", "Financiële dienstverlening"),
    ("Bakkerij De {thing}", "Detailhandel"),
    ("{last} Mode", "Detailhandel"),
    ("Fietsenwinkel {last}", "Detailhandel"),
    ("Slagerij {last}", "Detailhandel"),
    ("Bloemisterij De {thing}", "Detailhandel"),
    ("{last} Wonen", "Detailhandel"),
    ("{last} Installatietechniek B.V.", "Installatietechniek"),
    ("Installatiebedrijf {last}", "Installatietechniek"),
    ("{city} Elektrotechniek", "Installatietechniek"),
    ("{last} Klimaattechniek", "Installatietechniek"),
    ("{last} Zonnepanelen", "Installatietechniek"),
)

NL_TITLES: tuple[str, ...] = (
    # Decision makers are listed twice to make them a bit more common.
    "Directeur", "Directeur", "Eigenaar", "Eigenaar", "Algemeen directeur",
    "Directeur-eigenaar", "CFO", "Financieel directeur", "Commercieel directeur",
    "Operationeel manager", "IT-manager", "Inkoper", "Hoofd inkoop", "Marketingmanager",
    "Facilitair manager", "Vestigingsmanager",
    "Office manager", "Office manager", "Medewerker administratie", "HR-adviseur",
    "Managementassistent", "Receptionist", "Medewerker binnendienst", "Projectleider",
    "Teamleider", "Boekhouder", "Marketingmedewerker", "Accountmanager", "",
)

# What the Dutch templates' {thing} and {region} are filled with.
NL_THINGS: tuple[str, ...] = (
    "Korenschoof", "Gouden Leeuw", "Zwaan", "Linde", "Eikenhof", "Sterrenhof", "Kroon",
    "Vlinder", "Zonnebloem", "Regenboog", "Klimop", "Notenboom", "Waag", "Molen",
    "Vergulde Hand", "Blauwe Reiger", "Hoeksteen", "Wilg",
)

NL_REGIONS: tuple[str, ...] = (
    "Rivierenland", "West-Brabant", "Noord-Holland Noord", "Oost-Achterhoek",
    "Zuid-Limburg", "Bollenstreek", "Drechtsteden", "Twente", "Het Gooi",
    "Zeeuws-Vlaanderen", "Kennemerland", "Midden-Holland", "Veluwe", "Rijnmond",
)


# --------------------------------------------------------------------------- Belgium, in Flemish

BE_FLEMISH_CITIES: tuple[tuple[str, str], ...] = (("Antwerpen", "3"), ("Gent", "9"), ("Brussel", "2"))

BE_FLEMISH_FIRST_NAMES: tuple[str, ...] = (
    "Wout", "Fien", "Jens", "Lies", "Bart", "Kristof", "Els", "Griet", "Tine", "Koen",
    "Stijn", "Jelle", "Lotte", "Ine", "Sofie", "Pieter-Jan", "Wannes", "Ann", "Dirk",
)

# Belgian particles are capitalised and part of the surname.
BE_FLEMISH_SURNAMES: tuple[str, ...] = (
    "Janssens", "Peeters", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
    "Wouters", "De Smet", "Van Damme", "Vermeersch", "De Clercq", "Verstraete",
    "Van den Broeck", "De Backer", "Declercq", "Van Acker",
)

BE_FLEMISH_COMPANIES: tuple[tuple[str, str], ...] = (
    ("{last} Bouw BV", "Bouw"),
    ("Bouwonderneming {last} NV", "Bouw"),
    ("{last} Logistics NV", "Logistiek"),
    ("Transport {last} BV", "Logistiek"),
    ("{city} ICT BV", "ICT"),
    ("{last} & Zonen NV", "Industrie"),
    ("Brouwerij {last}", "Industrie"),
    ("Bakkerij {last}", "Detailhandel"),
    ("Woonzorgcentrum {last}hof", "Zorg"),
    ("Boekhoudkantoor {last} BV", "Financiële dienstverlening"),
    ("{last} Elektriciteitswerken BV", "Installatietechniek"),
    ("Advocatenkantoor {last}", "Zakelijke dienstverlening"),
    ("Frituur {first}", "Horeca"),
    ("{last} Groothandel NV", "Groothandel"),
    ("Rijschool {last}", "Onderwijs"),
)

BE_FLEMISH_TITLES: tuple[str, ...] = (
    "Zaakvoerder", "Zaakvoerder", "Gedelegeerd bestuurder", "Directeur", "Aankoper",
    "Aankoopverantwoordelijke", "Office manager", "Boekhouder", "IT-manager",
    "Administratief medewerker", "HR-verantwoordelijke",
)


# --------------------------------------------------------------------------- Belgium, in French

BE_WALLOON_CITIES: tuple[tuple[str, str], ...] = (("Bruxelles", "2"), ("Liège", "4"))

BE_WALLOON_FIRST_NAMES: tuple[str, ...] = (
    "Geneviève", "Inès", "Benoît", "Hélène", "François", "Amélie", "Céline", "Jérôme",
    "Marie", "Luc", "Nathalie", "Thierry", "Sébastien", "Chloé", "Gaëlle", "Aurélie",
)

BE_WALLOON_SURNAMES: tuple[str, ...] = (
    "Dubois", "Lambert", "Dupont", "Martin", "Lejeune", "Renard", "Leclercq", "Lemaire",
    "Fontaine", "Delvaux", "Collard", "Denis", "Gérard", "Lefèbvre",
)

BE_WALLOON_COMPANIES: tuple[tuple[str, str], ...] = (
    ("Boulangerie {last}", "Detailhandel"),
    ("Transports {last} SA", "Logistiek"),
    ("{last} Construction SRL", "Bouw"),
    ("Brasserie {last}", "Horeca"),
    ("Fiduciaire {last} SRL", "Financiële dienstverlening"),
    ("{last} Informatique SA", "ICT"),
    ("Cabinet {last} & Associés", "Zakelijke dienstverlening"),
    ("Chauffage {last} SRL", "Installatietechniek"),
    ("{last} Distribution NV", "Groothandel"),
)

BE_WALLOON_TITLES: tuple[str, ...] = (
    "Gérant", "Gérant", "Directeur général", "Administrateur délégué",
    "Responsable achats", "Assistante de direction", "Comptable", "Office manager",
)


# --------------------------------------------------------------------------- Germany

# area spec "code:subscriber length"
DE_CITIES: tuple[tuple[str, str], ...] = (
    ("Berlin", "30:8"), ("München", "89:7"), ("München", "89:8"), ("Hamburg", "40:8"),
    ("Frankfurt am Main", "69:8"), ("Köln", "221:7"), ("Düsseldorf", "211:7"),
)

DE_FIRST_NAMES: tuple[str, ...] = (
    "Jürgen", "Stefan", "Katrin", "Jörg", "Sabine", "Matthias", "Uwe", "Anja", "Björn",
    "Sören", "Günter", "Ulrike", "Lena", "Lukas", "Dörte", "Maximilian", "Tobias",
    "Kerstin", "Jan",
)

DE_SURNAMES: tuple[str, ...] = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
    "Schröder", "Neumann", "Zimmermann", "Braun", "Krüger", "Bäcker", "Weiß",
    "von der Heide",
)

DE_COMPANIES: tuple[tuple[str, str], ...] = (
    ("{last} Maschinenbau GmbH", "Industrie"),
    ("{last} Logistik GmbH", "Logistiek"),
    ("{last} Bau GmbH & Co. KG", "Bouw"),
    ("{last} IT-Systeme GmbH", "ICT"),
    ("{last} Haustechnik GmbH", "Installatietechniek"),
    ("Großhandel {last} GmbH", "Groothandel"),
    ("Steuerberatung {last}", "Financiële dienstverlening"),
    ("Pflegedienst {last}", "Zorg"),
    ("Gasthaus {last}", "Horeca"),
    ("{last} & Söhne KG", "Industrie"),
    ("{last} Consulting GmbH", "Zakelijke dienstverlening"),
    ("Bäckerei {last}", "Detailhandel"),
    ("{last} Akademie GmbH", "Onderwijs"),
)

DE_TITLES: tuple[str, ...] = (
    "Geschäftsführer", "Geschäftsführer", "Inhaber", "Einkaufsleiter", "Leiter IT",
    "Prokurist", "Assistenz der Geschäftsführung", "Vertriebsleiter", "Buchhaltung",
)


# --------------------------------------------------------------------------- the United Kingdom

# area spec "code:local prefix" inside Ofcom's fictional drama ranges
UK_CITIES: tuple[tuple[str, str], ...] = (
    ("London", "20:7946 0"), ("London", "20:7946 0"), ("Manchester", "161:496 0"),
    ("Leeds", "113:496 0"), ("Sheffield", "114:496 0"), ("Leicester", "116:496 0"),
    ("Bristol", "117:496 0"), ("Reading", "118:496 0"), ("Birmingham", "121:496 0"),
    ("Edinburgh", "131:496 0"), ("Glasgow", "141:496 0"), ("Liverpool", "151:496 0"),
    ("Newcastle", "191:498 0"), ("Belfast", "28:9649 6"), ("Cardiff", "29:2018 0"),
)

UK_FIRST_NAMES: tuple[str, ...] = (
    "James", "Oliver", "Emma", "Charlotte", "Harry", "Sophie", "Siobhan", "Rhys",
    "Amelia", "Thomas", "Grace", "Daniel", "Hannah", "Liam", "Chloe", "Aisha", "George",
    "Ruth", "Callum",
)

UK_SURNAMES: tuple[str, ...] = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas",
    "Johnson", "Roberts", "Walker", "Wright", "Robinson", "Hughes", "Edwards", "Green",
    "O'Brien", "MacDonald", "Patel", "Khan",
)

UK_COMPANIES: tuple[tuple[str, str], ...] = (
    ("{last} Logistics Ltd", "Logistiek"),
    ("{city} Freight Ltd", "Logistiek"),
    ("{last} & {last2} LLP", "Zakelijke dienstverlening"),
    ("{last} Engineering Ltd", "Industrie"),
    ("{last} Software Ltd", "ICT"),
    ("{city} IT Solutions Ltd", "ICT"),
    ("{last} Construction Ltd", "Bouw"),
    ("{last} Wholesale Ltd", "Groothandel"),
    ("{city} Care Group Ltd", "Zorg"),
    ("{last} Financial Services Ltd", "Financiële dienstverlening"),
    ("{last} Electrical Ltd", "Installatietechniek"),
    ("{city} Training Ltd", "Onderwijs"),
    ("{last} Retail Ltd", "Detailhandel"),
    ("The {last} Arms", "Horeca"),
)

UK_TITLES: tuple[str, ...] = (
    "Managing Director", "Managing Director", "Owner", "Operations Manager",
    "Procurement Manager", "Office Manager", "Finance Director", "IT Manager",
    "Head of Facilities", "Sales Executive",
)


# --------------------------------------------------------------------------- benchmark rows

FAKE_FIRST: tuple[str, ...] = (
    "Jan", "Sanne", "Pieter", "Lotte", "Daan", "Eva", "Kees", "Fleur", "Bram", "Noor", "Zoë",
)
FAKE_LAST: tuple[tuple[str, str], ...] = (
    ("", "Jansen"), ("de", "Vries"), ("van", "Dijk"), ("", "Bakker"), ("", "Visser"),
    ("van der", "Meer"), ("", "Smit"), ("de", "Boer"), ("", "Mulder"), ("ter", "Horst"),
    ("", "Hofstede"), ("van den", "Berg"), ("", "Dekker"),
)
FAKE_SECTORS: tuple[tuple[str, str], ...] = (
    ("Bouw", "Bouw"), ("Logistiek", "Logistiek"), ("ICT", "ICT"), ("Groothandel", "Groothandel"),
    ("Installatietechniek", "Installatietechniek"), ("Advies", "Zakelijke dienstverlening"),
    ("Zorg", "Zorg"),
)
FAKE_TITLES: tuple[str, ...] = ("Directeur", "Eigenaar", "Inkoper", "Office manager", "IT-manager")
FAKE_SIZES: tuple[str, ...] = ("", "11-50", "51-200", "12", "201-500")
