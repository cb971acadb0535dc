"""Spot personal data in free text before the bot uses it.

People who talk to the bot can be detained because of a chat found on their
phone. When a message looks like it identifies someone (a phone number, an
e-mail address, a birth date, an identity document number, a street address or
a full personal name), the caller warns them before using the text.

`detect(text)` returns the kinds found with their spans in the original text;
it never returns or keeps the matched text itself. It is pure and
deterministic: precompiled regular expressions and small word lists, plus data
that Babel ships (country and city names, month and day names, language names
and the nationality adjectives in currency names), all built once at import.

It covers English, French, Spanish, Russian, Arabic and Chinese at once (the caller
does not need to know the chat's language), in Latin, Cyrillic, Arabic and Han script,
with Arabic-Indic and Eastern Arabic-Indic digits. Word lists that are data (given
names per language, Chinese family names) are text files in flows/data/names/, read
once at import; a missing or unreadable file only makes the detector see less.

It is a heuristic: it prefers a warning too many on a message with a name in it, and
stays quiet on ordinary sentences about events, laws, dates, counts, places and UN
bodies. A first name on its own counts when it is a listed given name, or when the
words before it say it is a person ("my brother Tahar", "call maryam", "позвони
Светлане", "llamó a Lucía", "تواصل مع سلمى", "我弟弟王建国"). Chinese names count only
with such context or a title ("张律师"). Phones are matched with regular expressions:
on the labelled set they did better than the `phonenumbers` library (bench/phones.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from babel import Locale
from babel.core import get_global

Kind = Literal["phone", "email", "birth_date", "id_number", "address", "name"]

# When two findings overlap, the more specific kind wins.
_PRIORITY: dict[Kind, int] = {
    "email": 0,
    "id_number": 1,
    "birth_date": 2,
    "phone": 3,
    "address": 4,
    "name": 5,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One piece of personal data: its kind and its span in the original text."""

    kind: Kind
    start: int
    end: int


Span = tuple[int, int, Kind]

# --------------------------------------------------------------------------------------
# Word lists shipped as data files (flows/data/names/), read once at import. A missing or
# unreadable file gives an empty list, never an import error.

_DATA = Path(__file__).with_name("data") / "names"


def _load_words(name: str) -> frozenset[str]:
    """Whitespace-separated words of a data file; `#` starts a comment."""
    try:
        text = (_DATA / name).read_text(encoding="utf-8")
    except (OSError, UnicodeError, ValueError):
        return frozenset()
    words: set[str] = set()
    for line in text.splitlines():
        words.update(line.split("#", 1)[0].split())
    return frozenset(words)


# --------------------------------------------------------------------------------------
# Normalisation. Digits, spaces, apostrophes and dashes are mapped one character to one
# character, so spans stay valid; Arabic diacritics, tatweel and invisible marks are
# dropped, with an index map back to the original text.

_TRANSLATE = str.maketrans(
    {
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2212": "-",
        "\uff20": "@",
        "\u066b": ".",
        "\u066c": ",",
        "\u060c": ",",
        "\u061b": ";",
        "\u061f": "?",
    }
)
_INVISIBLE = re.compile(
    "[\u064b-\u065f\u0670\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]"
)


# Chinese characters (the CJK unified ideographs and their extension A and compatibility
# blocks).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def _prepare(text: str) -> tuple[str, list[int] | None]:
    folded = text.translate(_TRANSLATE)
    if not _INVISIBLE.search(folded):
        return folded, None
    keep = [i for i, ch in enumerate(folded) if not _INVISIBLE.match(ch)]
    return "".join(folded[i] for i in keep), keep


def _words(text: str) -> list[str]:
    return text.split()


# --------------------------------------------------------------------------------------
# Babel data: months, days, places, languages, nationality adjectives.

_LANGS = ("en", "fr", "es", "ru", "ar")
_MONTH_LOCALES = (*_LANGS, "ar_SY", "ar_IQ", "ar_LB", "ar_TN", "ar_DZ", "ar_MA", "ar_EG")


def _babel_months() -> set[str]:
    names: set[str] = set()
    for code in _MONTH_LOCALES:
        locale = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for name in locale.months[context][width].values():
                    name = name.strip().rstrip(".").casefold()
                    if len(name) >= 3 and not name.isdigit():
                        names.add(name)
    names.update({"sept", "sep", "setiembre", "juil", "févr", "fevr", "avr", "janv"})
    return names


def _babel_days() -> set[str]:
    names: set[str] = set()
    for code in _LANGS:
        locale = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for name in locale.days[context]["wide"].values():
                names.add(name.casefold())
    return names


def _babel_places() -> list[str]:
    """Country, region and city names in the five languages."""
    names: list[str] = []
    for code in _LANGS:
        locale = Locale.parse(code)
        names.extend(locale.territories.values())
        for zone in locale.time_zones.values():
            city = zone.get("city")
            if isinstance(city, str):
                names.append(city)
    for zone_id in get_global("zone_territories"):
        names.append(zone_id.rsplit("/", 1)[-1].replace("_", " "))
    return names


def _babel_demonyms_and_languages() -> set[str]:
    """Language names and the nationality adjectives in currency names ("Tunisian Dinar")."""
    words: set[str] = set()
    for code in _LANGS:
        locale = Locale.parse(code)
        for name in locale.languages.values():
            if " " not in name and len(name) >= 4:
                words.add(name)
    demonym = re.compile(r"(?:an|ese|i|sh|ch|ic|ot|ss)$")
    for name in Locale.parse("en").currencies.values():
        parts = re.sub(r"\(.*?\)", "", name).split()
        words.update(p for p in parts[:-1] if p[:1].isupper() and demonym.search(p))
    for code in ("fr", "es"):
        for name in Locale.parse(code).currencies.values():
            parts = re.sub(r"\(.*?\)", "", name).split()
            words.update(p for p in parts[1:] if p.isalpha() and p.islower() and len(p) >= 5)
    return words


# --------------------------------------------------------------------------------------
# Word keys: Latin words are compared without accents or case; Cyrillic words without
# case and without their inflectional ending, so "Москве" and "Москва" share a key.

_CYR_ENDING = re.compile(
    r"(?:ами|ями|ого|его|ому|ему|ыми|ими|ой|ей|ий|ый|ая|яя|ое|ее|ую|юю|ом|ем|ам|ям|ах|ях"
    r"|ы|и|а|я|у|ю|е|о|ь|й)$"
)


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _is_arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f"


# Not cached: a cache would keep the words people typed (names among them) in
# memory between updates.
def _key(word: str) -> str:
    word = word.replace("\u2019", "'").casefold()
    if word and _is_cyrillic(word[0]):
        word = word.replace("ё", "е")
        stem = _CYR_ENDING.sub("", word)
        return stem if len(stem) >= 3 else word
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _keys(words: Iterable[str]) -> frozenset[str]:
    return frozenset(_key(w) for w in words)


# --------------------------------------------------------------------------------------
# Word lists (written for this module). Keys are built with `_key`.

# Words that are never part of a person's name, even when capitalised: function words,
# sentence starters, roles and kinship words, common verbs.
_COMMON_WORDS = """
the a an this that these those my our your his her their its i we you he she they it me us
him them who whom whose which what when where why how and or but nor so yet if because
although though while since until after before during on in at to from by with without about
against between into onto over under of for as than then also too very more most less all
any each every some several many much no not only even just still already again yesterday
today tomorrow tonight last next morning evening night is are was were be been being am
have has had do does did can could will would shall should might must hello hi dear thanks
thank please help urgent update note subject re fwd ok okay yes dozens hundreds thousands
both other another such same own around near among across along behind beside beyond
following according regarding concerning recently reportedly meanwhile however therefore
lawyer lawyers attorney journalist journalists activist activists defender detainee
detainees prisoner prisoners student students teacher teachers nurse officer officers
soldier soldiers guard guards judge judges brother sister mother father son daughter husband
wife friend friends cousin uncle aunt neighbour neighbor colleague colleagues family people
person man woman men women child children boy girl victim victims witness witnesses
protesters protester demonstrators residents citizens president minister governor mayor
commander colonel general captain major sergeant lieutenant chief head director member
members leader leaders spokesman spokeswoman blogger writer poet artist farmer worker
workers engineer doctor doctors imam priest sheikh pastor bishop
said says told tells went came called wrote lives lived works worked arrested detained
released taken beaten killed disappeared sentenced charged summoned accused held tortured
threatened raided searched seized sent asked wants need needs know think call contact write
send share tell ask find meet see give get go come take appelez appelle appeler contactez
écrivez écris joindre llama llame llamen llamar contacta contacte escribe escriba escríbeme
звоните звони блогер блогерка задержали арестовали
urgent important breaking dear sir madam now free release stop end
eid aid aïd ramadan achoura ashura semana mawlid christmas easter noël paques pâques navidad pascua
red northern southern eastern western
central greater upper lower old downtown north south east west
le la les l un une des du de d au aux à ce cet cette ces mon ma mes ton ta tes son sa ses
notre nos votre vos leur leurs je tu il elle on nous vous ils elles te se lui y en qui que
quoi dont où ou et mais donc or ni car si quand lorsque comme depuis pendant avant après
selon hier aujourd'hui demain matin soir puis ensuite enfin alors aussi encore déjà toujours
jamais très plus moins bien tout tous toute toutes chaque plusieurs certains aucun rien
personne est sont était étaient ont avait avaient été être avoir fait peut doit faut
bonjour salut merci aide est-ce voici voilà entre contre sans sous sur chez vers
avocat avocate journaliste militant militante défenseure détenu détenue prisonnier
prisonnière étudiant étudiante enseignant enseignante médecin frère sœur soeur mère père
fils fille mari femme ami amie cousine oncle tante voisin voisine collègue commissaire juge
procureur agent agents policier policiers gendarme gendarmes capitaine militaire victime
témoin manifestants habitants citoyens ministre président gouverneur maire
arrêté arrêtée détenus libéré libérée condamné condamnée convoqué convoquée
el los las lo unos unas del al a con por para sin sobre desde hasta hacia según durante
tras ante bajo mi mis tu tus su sus nuestro nuestra nuestros nuestras yo tú él ella ellos
ellas nosotros usted ustedes le les quien quién cual cuál cuando cuándo donde dónde como
cómo porque pero y o también tampoco ya aún todavía muy más menos todo todos toda todas
cada varios algunos algunas ningún nada nadie es son era eran fue fueron ha han había
está están estaba hay ser estar tener hola buenos buenas gracias favor ayuda urgente
abogado abogada periodista activista defensora detenido detenida preso presa estudiante
maestro maestra médico médica hermano hermana madre padre hijo hija esposo esposa marido
mujer amigo amiga primo prima tío tía vecino vecina compañero compañera comandante coronel
capitán juez jueza agente militar militares lideresa líder dirigente testigo víctima
ministro presidente gobernador alcalde ayer hoy mañana anoche anteayer luego después antes
entonces ahora aquí allí detuvieron arrestaron llevaron mataron golpearon
вчера сегодня завтра потом после перед когда если где что кто как почему мой моя мое мои
моего моей наш наша наши его её ее их он она они мы я вы ты это этот эта эти тот та те во
на по со ко об от до из за под над при для без про через между но или да нет не ни же ли
бы уже ещё еще также тоже только даже очень все всё весь вся каждый один одна одно два три
несколько многие более менее около примерно здравствуйте привет спасибо пожалуйста
помогите срочно адвокат адвокатка журналист журналистка активист активистка
правозащитник правозащитница следователь судья прокурор полицейский полицейские
сотрудник сотрудники задержанный задержанная задержанные заключенный заключенная студент
студентка учитель учительница врач брат сестра мать отец сын дочь муж жена друг подруга
коллега сосед соседка дядя тетя бабушка дедушка пастор священник имам гражданин гражданка
свидетель свидетельница потерпевший жертва министр президент губернатор мэр задержан
задержана задержаны арестован арестована осужден осуждена похищен похищена избит избита
позвоните напишите пишите свяжитесь сообщите обыск полиция мужчина женщина депутат
человек участник пикетчик сторонник оппозиционер директор редактор режиссер художник
музыкант поэт писатель ученый мальчик девочка подросток пенсионер пенсионерка силовики
семья
"""

# Words that mark a capitalised phrase as an institution, a document, a place or a
# product rather than a person: the words of the phrase up to the last such word are not
# a name ("Special Rapporteur", "National Security Service", "Karim Haddad Foundation").
_ORG_WORDS = """
council rapporteur rapporteurs group groups nations united court courts ministry ministries
service services police committee office commission republic kingdom state states
university party front army forces force agency bureau department assembly parliament
union association league movement centre center foundation network federation rights human
watch international national security intelligence prosecutor prosecution tribunal
government authority authorities procedures special working high commissioner secretary
mission defenders amnesty organisation organization institute society coalition alliance
bank fund program programme law laws code act decree article convention covenant
declaration protocol treaty charter constitution resolution review periodic universal
session report prison jail hospital airport station square street avenue road boulevard
lane bridge mosque church school college embassy consulate company media news times post
radio television channel mail proton protonmail signal telegram whatsapp facebook twitter
google gmail instagram youtube tiktok linkedin zoom skype microsoft apple viber tor vpn
outlook yahoo riseup tutanota tuta element matrix wire threema
minister ministers ambassador guard gendarmerie interior justice defence defense affairs
foreign supreme constitutional criminal penal civil public popular democratic islamic
revolutionary general federal regional provincial municipal city county district
governorate province region village camp valley mountains river island islands desert
border checkpoint arbitrary detention enforced involuntary disappearances freedom
expression peaceful association torture independence violence executions extrajudicial
situation privacy health education housing food water environment indigenous peoples
minorities religion belief opinion terrorism counter-terrorism truth reparation
transitional slavery trafficking disabilities poverty development sanitation climate
business mercenaries exploitation orientation gender discrimination racism xenophobia
expert experts independent clinic clinics expertes experte indépendant indépendante
clinique experto experta expertos independiente clínica эксперт независимый клиника
journalists reporters borders lawyers judges unit units crimes crime squad unidad unité
reuters afp bbc cnn aljazeera jazeera interfax интерфакс тасс риа
day week month year spring summer autumn winter war revolution uprising protest protests
elections election referendum emergency hotel hotels restaurant cafe café market
mall stadium park museum cinema theatre theater factory farm brotherhood muslim muslims
christian christians jewish coptic copts sunni shia shiite catholic orthodox evangelical
yazidi druze alawite ahmadi baha'i hôtel marché stade musée usine hotel mercado estadio
museo fábrica roja rojo rouge crescent cross croissant-rouge croix-rouge гостиница отель
рынок стадион музей завод красный крест полумесяц
conseil groupe unies cour ministère service gendarmerie garde comité bureau commission
république royaume état université parti armée forces agence département assemblée
parlement ligue mouvement fondation réseau fédération droits homme internationale
nationale sûreté sécurité renseignement procureur parquet gouvernement autorité autorités
procédures spéciales spécial spéciale haut commissariat secrétaire général mission
défenseurs organisation institut société alliance banque fonds loi code décret pacte
déclaration protocole traité charte examen rapport hôpital aéroport gare place rue
boulevard pont mosquée église école ambassade consulat syndicat tribunal instance
cassation appel intérieur extérieur étrangères justice défense présidence primature
délégation gouvernorat wilaya préfecture brigade criminelle criminel pénale pénal
judiciaire unité division direction urgence emergencia excepción exception
consejo relator relatora relatores grupo naciones unidas corte tribunal ministerio servicio
policía guardia comité oficina comisión república reino estado universidad partido frente
ejército fuerzas agencia departamento asamblea parlamento congreso unión liga movimiento
centro fundación red federación derechos humanos internacional nacional seguridad
inteligencia fiscal fiscalía gobierno autoridad autoridades procedimientos especiales
especial alto comisionado secretario secretaria misión defensores defensoría
organización instituto sociedad coalición alianza banco fondo ley código decreto artículo
pacto declaración protocolo tratado carta constitución resolución examen sesión informe
cárcel prisión hospital aeropuerto estación plaza calle avenida carrera puente iglesia
escuela embajada consulado procuraduría juzgado penal juzgados interamericana
interamericano suprema supremo justicia trabajo detención arbitraria tortura
desapariciones forzadas libertad expresión pueblo pueblos municipio alcaldía gobernación
comisaría primero primera segundo segunda tercero tercera sentencia instrucción
совет докладчик докладчика группа нация объединенный суд министерство служба полиция
комитет управление комиссия республика королевство государство государственный
университет партия фронт армия агентство департамент ассамблея парламент дума союз лига
движение центр фонд сеть федерация федеральный право человек международный национальный
безопасность прокуратура прокурор правительство власть процедура специальный верховный
конституционный комиссар секретарь генеральный миссия организация институт общество
мемориал коалиция альянс банк закон кодекс указ статья пакт декларация протокол договор
хартия конституция резолюция сессия доклад тюрьма сизо колония больница аэропорт вокзал
площадь улица проспект мост мечеть церковь школа посольство консульство росгвардия
следственный уголовный районный областной городской краевой рабочий универсальный
периодический обзор европейский российский совета европа
"""

# Titles that make the next capitalised word a name ("Mr Haddad", "Sra. Jiménez").
_TITLES = """
mr mrs ms miss dr prof mme mlle maître maitre sr sra srta don doña dña dra lic ing
monsieur madame mademoiselle señor señora señorita sheikh cheikh imam
господин госпожа господина госпожи господину госпоже г-н г-жа г-на г-жи г-ну г-же
colonel lieutenant captain major judge sergeant sgt inspector commander doctor prosecutor
officer constable detective agent agente commissaire procureur fiscal comisario gendarme
brigadier
capitaine commandant lieutenant juge docteur
coronel teniente capitán capitana comandante sargento juez jueza licenciado licenciada
ingeniero ingeniera doctor doctora
судья судьи судье судью полковник полковника подполковник майор майора лейтенант
лейтенанта капитан капитана следователь следователя инспектор прокурор
"""

# Lower-case particles inside names ("María de la Cruz", "Mariam bint Khalid").
_CONNECTORS = frozenset(
    _words(
        """
        de del des du da das do dos di van von der den ter bin ben ibn bint bent ould al el abu
        abou d' la las los le l'
        """
    )
)
# Of the connectors, these only count right after "de" ("de la", "de las", "de l'").
_AFTER_DE = frozenset({"la", "las", "los", "le", "l'"})

# First words of place names: "San Pedro Sula", "Ciudad Juárez", "Sidi Bouzid".
_PLACE_PREFIXES = _keys(
    _words(
        """
        san santa santo são saint sainte st ciudad puerto port porto villa nueva nuevo new
        nizhny mont mount lake cape cabo sidi нижний великий санкт
        """
    )
)

# Cities and regions a defender is likely to name and that Babel's time zone cities miss.
_EXTRA_PLACES = """
Tunis, Ariana, Ben Arous, Manouba, Nabeul, Zaghouan, Bizerte, Béja, Jendouba, Kef, Le Kef,
Siliana, Sousse, Monastir, Mahdia, Sfax, Kairouan, Kasserine, Sidi Bouzid, Gabès, Gabes,
Medenine, Tataouine, Gafsa, Tozeur, Kebili, Redeyef, Aleppo, Homs, Hama, Idlib, Latakia,
Deir ez-Zor, Raqqa, Daraa, Sednaya, Saydnaya, Douma, Mosul, Basra, Erbil, Sulaymaniyah,
Najaf, Karbala, Kirkuk, Fallujah, Alexandria, Giza, Port Said, Aswan, Luxor, Mansoura,
Benghazi, Misrata, Oran, Constantine, Annaba, Kabylie, Kabylia, Rabat, Tangier, Tanger,
Fes, Fès, Marrakech, Agadir, Al Hoceima, Rif, Sanaa, Aden, Taiz, Hodeidah, Marib, Omdurman,
Port Sudan, El Fasher, Nyala, Darfur, Kordofan, Medina, Mecca, Jeddah, Dammam, Qatif,
Manama, Doha, Muscat, Abu Dhabi, Sharjah, Ramallah, Nablus, Jenin, Bethlehem, Hebron,
Rafah, Khan Younis, Gaza, Gaza Strip, West Bank, East Jerusalem, Golan, Sinai, Tyre, Sidon,
Tripoli, Irbid, Zarqa, Tigray, Amhara, Oromia, Kurdistan, Rojava, Afrin, Xinjiang, Tibet,
Rakhine, Kachin, Shan, Balochistan, Kashmir, Crimea, Donbas, Chechnya, Dagestan,
Ingushetia, Tatarstan, Bashkortostan, Buryatia, Yakutia, Saint Petersburg, St Petersburg,
Nizhny Novgorod, Kazan, Grozny, Makhachkala, Ufa, Perm, Rostov, Krasnodar, Voronezh,
Saratov, Omsk, Tomsk, Irkutsk, Khabarovsk, Kaliningrad, Murmansk, Arkhangelsk, Pskov,
Smolensk, Tver, Tula, Kursk, Belgorod, Bryansk, Yaroslavl, Kostroma, Penza,
Cheboksary, Izhevsk, Syktyvkar, Petrozavodsk, Nalchik, Vladikavkaz, Nazran, Magas, Sochi,
Sevastopol, Simferopol, Donetsk, Luhansk, Mariupol, Kharkiv, Lviv, Odesa, Odessa, Dnipro,
Gomel, Grodno, Brest, Vitebsk, Mogilev, Osh, Samarkand, Khujand, Gorno-Badakhshan,
Bogotá, Medellín, Cali, Barranquilla, Cartagena, Cúcuta, Popayán, Cauca, Chocó, Antioquia,
Putumayo, Catatumbo, Quito, Guayaquil, Cuenca, Cusco, Cuzco, Arequipa, Cajamarca, Puno,
Ayacucho, El Alto, Cochabamba, Santa Cruz, Sucre, Valparaíso, Temuco, Araucanía, Rosario,
Córdoba, Mendoza, Maracaibo, Valencia, Barquisimeto, Mérida, San Cristóbal, León, Masaya,
San Pedro Sula, San Salvador, Quetzaltenango, Quiché, Huehuetenango, Ciudad de México,
Mexico City, Guadalajara, Monterrey, Oaxaca, Chiapas, Guerrero, Michoacán, Ciudad Juárez,
Tijuana, Veracruz, Acapulco, La Habana, Havana, Goma, Bukavu, Lubumbashi, Kigali,
Bujumbura, Ouagadougou, Yaoundé, Douala, Lagos, Abuja, Geneva, Genève, Ginebra, Strasbourg,
The Hague, La Haye, New York, Victoria Falls, Victoria, Middle East, North Africa,
Latin America, Sahel,
Санкт-Петербург, Петербург, Нижний Новгород, Казань, Грозный, Махачкала, Уфа, Пермь,
Ростов-на-Дону, Ростов, Краснодар, Воронеж, Саратов, Самара, Екатеринбург, Новосибирск,
Омск, Томск, Иркутск, Чита, Хабаровск, Владивосток, Калининград, Мурманск, Архангельск,
Псков, Смоленск, Тверь, Тула, Курск, Белгород, Брянск, Ярославль, Кострома, Пенза,
Ульяновск, Чебоксары, Ижевск, Киров, Сыктывкар, Петрозаводск, Нальчик, Владикавказ,
Назрань, Магас, Сочи, Севастополь, Симферополь, Донецк, Луганск, Мариуполь, Харьков,
Львов, Одесса, Днепр, Гомель, Гродно, Брест, Витебск, Могилев, Алматы, Астана, Бишкек, Ош,
Ташкент, Самарканд, Душанбе, Худжанд, Ашхабад, Баку, Тбилиси, Ереван, Москва, Минск, Киев,
Чечня, Дагестан, Ингушетия, Крым, Татарстан, Башкортостан, Бурятия, Якутия, Донбасс,
Кавказ, Сибирь, Урал, Женева, Страсбург, Гаага
"""

# All-caps words that are acronyms, not surnames written in capitals.
_ACRONYMS = _keys(
    _words(
        """
        ohchr unhcr unicef unesco undp unrwa unodc nato otan fidh omct ishr cedaw covid interpol
        ngos onlus ccpr cescr amnesty hrw cpj rsf ifex euromed gchr alkarama usaid сизо омон
        фсин еспч обсе гувд умвд овд мвд фсб ск цпэ гибдд собр нко ооон ооп оон
        """
    )
)

# Given names used to find names typed in lower case ("karim haddad"); words that are
# also common nouns or verbs are left out.
_GIVEN_LATIN = _keys(
    _words(
        """
        karim mohamed mohammed muhammad mohammad ahmed ahmad omar youssef yousef yusuf hassan
        hussein husein khaled khalid samir sami rami tarek tariq walid hamza mehdi amine nabil
        slim sofiane anis bilel ayoub ibrahim ismail mustafa moustafa mahmoud fares firas ziad
        jamal kamal hichem hisham adel imed riadh faisal nasser mansour fouad mourad rachid
        rashid bassem bassel hazem hatem jaber yassine yasser yasin hani mazen nizar ghassan
        issam salim salah fathi tawfik lotfi mounir chokri chokry habib hedi hamdi haythem nadia
        leila layla laila fatma fatima fatouma amina aminah mariam maryam meriem zainab zeinab
        zaynab aicha aisha khadija salma sarra sarah samira farida rim reem ines inès amel
        yasmine yasmina asma hanan houda hoda mouna mona nawal sonia rania ghada lina dina rana
        hiba soumaya samia souad najla wafa ibtissem malak nesrine nisrine loubna sanaa carlos
        jose josé juan maria maría ana lucia lucía pedro luis jorge miguel carmen fernando
        francisco javier alejandro diego andres andrés raul raúl oscar óscar ricardo roberto
        sergio eduardo manuel antonio jesus jesús julian julián camila valentina daniela
        gabriela andrea patricia sandra claudia paola natalia mariana juana eugenia ernesto
        guadalupe marta teresa veronica verónica adriana beatriz silvia jean pierre paul jacques
        michel philippe nicolas thomas julien mathieu sophie claire camille juliette isabelle
        nathalie sylvie aurelie aurélie amadou moussa mamadou ibrahima ousmane fatou aminata awa
        mariama kadiatou oumar seydou john james david michael peter thomas andrew robert
        william richard joseph daniel elizabeth mary jennifer linda susan jessica emily olivia
        emma anna elena olga irina natalia svetlana tatiana ekaterina anastasia yulia ivan
        sergei sergey dmitri dmitry alexei alexey andrei andrey vladimir nikolai mikhail pavel
        oleg igor yuri boris ruslan timur anvar zarema madina kamila aliya sofia regina adelaide
        victoria santiago isabel florence lucia helena georgia jordan elena martin
        """
    )
)

# Given names from the data files. Latin-script names are compared by key; Russian names
# with their case forms ("Светлане", "Алексея", "Русланом").
_GIVEN = _GIVEN_LATIN | _keys(
    _load_words("given_en.txt") | _load_words("given_fr.txt") | _load_words("given_es.txt")
)


def _cyr_forms(name: str) -> set[str]:
    word = name.casefold().replace("ё", "е")
    endings: tuple[str, ...]
    if word.endswith("ия"):
        stem, endings = word[:-1], ("я", "и", "ю", "ей", "ею", "е")
    elif word.endswith(("а", "я")):
        stem, endings = word[:-1], ("а", "я", "ы", "и", "е", "у", "ю", "ой", "ей", "ою", "ею")
    elif word.endswith("й"):
        stem, endings = word[:-1], ("й", "я", "ю", "ем", "е")
    elif word.endswith("ь"):
        stem, endings = word[:-1], ("ь", "я", "ю", "ем", "е", "и", "ью")
    else:
        stem, endings = word, ("", "а", "у", "ом", "е", "ым", "ем")
    return {stem + e for e in endings}


_GIVEN_RU = frozenset(f for name in _load_words("given_ru.txt") for f in _cyr_forms(name))


def _is_given(tok_word: str, key: str) -> bool:
    if _is_cyrillic(tok_word[0]):
        return tok_word.casefold().replace("ё", "е") in _GIVEN_RU
    return key in _GIVEN


# Words before a lone given name that say it is a person: kinship and role words, and verbs
# of calling, meeting, asking, arresting. A particle may stand between ("llamó a Lucía").
_KIN_CUES = _keys(
    _words(
        """
        brother sister son daughter mother father husband wife cousin uncle aunt friend
        colleague neighbour neighbor nephew niece fiancé fiancee grandson granddaughter
        grandmother grandfather grandma grandpa granny mum mom dad boyfriend girlfriend
        partner grand-mère grand-père mamie papi lawyer journalist
        activist student teacher blogger defender detainee prisoner named prosecutor
        lideresa líder dirigente defensora defensor
        frère sœur soeur fils fille mère père mari femme épouse époux cousin cousine oncle
        tante ami amie copain copine collègue voisin voisine neveu nièce camarade avocat
        avocate journaliste militant militante étudiant étudiante nommé nommée prénommé
        prénommée
        hermano hermana hijo hija madre padre esposo esposa marido mujer primo prima tío tía
        amigo amiga compañero compañera vecino vecina sobrino sobrina abuelo abuela novio
        novia nieto nieta abogado abogada periodista activista estudiante llamado llamada
        брат брата брату братом сестра сестру сестры сестрой сын сына сыну сыном дочь
        дочери дочерью мать матери отец отца муж мужа мужем жена жену жены женой друг друга
        другом подруга подругу подругой коллега коллегу сосед соседа соседка соседку дядя
        дядю тетя тётя тетю племянник племянница внук внучка бабушка дедушка адвокат
        журналист журналистка активист активистка студент студентка зовут
        """
    )
)
_VERB_CUES = _keys(
    _words(
        """
        call called calling phone phoned ask asked tell told meet met saw see seen hi hello
        hey bonjour salut hola привет retrouvé retrouvée ищет mention mentionnez mencionen
        heard hear entendu escuchado слышали вестей вести новостей
        упоминайте упоминать
        arrested detained took taken contact contacted text texted message email
        emailed release free spoke speak talked talk beat beaten tortured kidnapped
        abducted interrogated summoned holding hold holds news released freed saw
        seen tell telling inform informed warn warned ask asking find found hide hid
        arrest arresting detain detaining took grabbed seized shot killed threatened
        threaten threatening follow followed watching watched sentenced charged
        accused contacting calling texting messaging pass greet thank
        appelle appelez appeler appelé appelée appelons vu vue voir rencontré
        rencontrée arrêté arrêtée arrêter arrêtés détenu détenue enlevé enlevée
        contacte contactez contacter demande demandez demander dis dites écris
        écrivez libérez libérer emmené emmenée emmenés embarqué embarquée kidnappé
        kidnappée frappé frappée battu battue torturé torturée interrogé interrogée
        convoqué convoquée parlé détiennent détient appelait appelle nouvelle
        nouvelles libéré libérée libérés relâché relâchée relâché dites dis préviens
        prévenez informez informer cherchent cherche cherchez trouvé trouvée menacé
        menacée menacent suivi suivie condamné condamnée accusé accusée vois voit
        voyez salue saluez remercie remerciez passe passez téléphone téléphoné
        téléphonez enlevé enlevés séquestré séquestrée
        llamó llama llame llamen llamar llamé llamamos vi vio visto vimos detuvieron
        detuvo arrestaron arrestó secuestraron contacta contacte contacten contactar
        pregunta pregunte pregunten preguntar habla hable hablen hablar liberen
        llevaron hablé hablamos golpearon torturaron interrogaron citaron tienen
        tiene llamaba llamaban noticias nada liberaron soltaron díganle dile dígale
        avísale avisen avisa pregúntale pregúntenle llámale llámenle llamen busca
        buscan buscaban encontraron amenazaron amenazan siguen siguieron condenaron
        acusaron saluda saludos agradece
        позвони позвоните позвонил позвонила звони звоните позвонить видел видела
        видели встретил встретила встретили задержали арестовали забрали похитили
        спроси спросите свяжитесь напиши напишите передай передайте освободите
        говорил говорила говорили избили пытали допросили вызвали держат держит
        удерживают увезли увезла увез увёз забрала забрал задержала задержал звали
        отпустили отпустил освободили освободил выпустили скажи скажите сообщи
        сообщите предупреди предупредите ищут искали нашли угрожают угрожали следят
        следили осудили обвинили навестил навестила навестили передавай привет
        """
    )
)

_CUE_PARTICLES = frozenset(
    _words("a à al au to for with from con avec с со к у ко за про para pour por of de d' о об от")
)
# Spanish puts "a" before a person who is the object of a verb: "se llevaron a Wilmer".
_ES_VERB_END = re.compile(
    r"(?:ó|aron|ieron|an|en|ía|ían|aba|aban|é|ar|er|ir|amos|imos)(?:le|les|lo|la|los|las)?$"
)


_CUE_ADVERBS = frozenset(
    _words("still also again toujours encore aussi déjà todavía aún también ya ещё еще тоже уже")
)


def _cue(text: str, toks: list[_Tok], i: int) -> tuple[bool, bool]:
    """(kinship or role word before token i, verb or particle of contact before it)."""
    if i == 0 or not _gap_ok(text, toks[i - 1], toks[i]):
        return False, False
    prev = toks[i - 1]
    if prev.word.casefold() in _CUE_ADVERBS and i >= 2 and _gap_ok(text, toks[i - 2], prev):
        i -= 1  # "ils détiennent toujours Ibrahim"
        prev = toks[i - 1]
    if prev.key in _KIN_CUES:
        return True, False
    if prev.key in _VERB_CUES:
        return False, True
    if prev.word.casefold() in _CUE_PARTICLES:
        before = toks[i - 2] if i >= 2 and _gap_ok(text, toks[i - 2], prev) else None
        if before is not None and before.key in _VERB_CUES:
            return False, True
        if (
            prev.word == "a"
            and before is not None
            and before.kind == "low"
            and not _is_stop(before)
            and _ES_VERB_END.search(before.word)
        ):
            return False, True
        return False, prev.word.casefold() in {"with", "con", "avec", "с", "со"}
    return False, False


_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ی": "ي", "ک": "ك"})


def _ar_key(word: str) -> str:
    return word.translate(_AR_FOLD)


# Arabic: titles, given names and words that never follow a name. Compared in a folded
# form (hamza on alef dropped, taa marbuta as haa).
_AR_TITLES = """
السيد السيده الدكتور الدكتوره الاستاذ الاستاذه المحامي المحاميه الشيخ الحاج الحاجه
الناشط الناشطه الصحفي الصحفيه المهندس المهندسه المدون المدونه العقيد المقدم الرائد
النقيب الطالب الطالبه الاخ الاخت القاضي القاضيه العنصر الضابط المحقق السجان الملازم
"""
_AR_GIVEN = """
محمد احمد محمود مصطفى علي حسن حسين عمر عثمان خالد سعيد سعد يوسف ابراهيم اسماعيل يونس
موسى عيسى سليمان داود طارق كريم سمير سامي رامي وليد وائل ماجد فادي زياد جمال كمال نبيل
هشام عماد رياض فيصل ناصر منصور فؤاد مراد رشيد حمزه بلال انس ايمن اسامه باسل بسام حازم
حاتم جابر ياسين ياسر قاسم هاني مازن نزار نضال غسان عصام سليم صلاح فتحي توفيق لطفي منير
شريف مهدي امين انور بشير جلال حامد حميد خليل راشد زكريا زكي سالم سامر سفيان شادي صابر
صالح صبري طه عاطف عدنان عزيز علاء عمار عمرو غازي فارس فراس فريد قيس لؤي ماهر مجدي محسن
مختار مروان مسعود معاذ معتز منذر مهند نادر ناجي نعيم هادي هيثم وسام يحيى يعقوب ايوب اياد
ايهاب بهاء تامر رائد ربيع رفيق زهير سيف شاكر شوقي صادق ضياء طلال عارف عاصم غيث فهد فوزي
قصي مصعب نوري وجدي يزن حبيب الهادي المنجي شكري حمدي هيكل ادم انيس ادريس بكر جعفر حيدر
حمدان خليفه رضوان سلمان سهيل شهاب صهيب عدي عمران عوض فاضل قحطان مثنى مجيد مرتضى نجيب
نعمان همام وجيه وضاح عباس عبيده جواد حمود سعود سامح طاهر عزت محيي مدحت منصف
فاطمه مريم زينب عائشه خديجه ليلى ساره سلمى رنا ريم هبه منى سناء سعاد ناديه سميره لينا دينا
ياسمين رحاب ايمان اسماء امنه رقيه حنان سهام نجلاء رانيا غاده لمى جميله كوثر هدى نوال سميه
ابتسام خلود دعاء رشا رغد روان زهراء زهره سوسن شيماء عبير علياء عفاف لبنى ماجده مها ميساء
نسرين نهى نجوى هاله هند يسرى اميره انعام بتول حلا ديما رزان رهف سلوى سارا شهد غاليه فدوى
لميس مايا منال نادين هيام يارا نور امينه انيسه بسمه حليمه حوريه ربيعه رشيده زكيه
سعيده سكينه سهى صبريه صفيه فتيحه فضيله فوزيه كريمه لطيفه مبروكه منيره نبيله نجيبه نعيمه
هاجر وداد يمينه
"""
_AR_STOP = """
في من الى على عن مع عند بعد قبل منذ خلال حتى بين حول ضد دون تحت فوق امام وراء لدى لكن ثم او
و ف ب ل ك هذا هذه ذلك تلك هؤلاء الذي التي الذين اللواتي هو هي هم هن انا نحن انت انتم كان
كانت كانوا يكون تكون قد لقد تم ان لم لن لا ما ماذا متى كيف اين لماذا هل كل بعض جميع غير
سوى ايضا فقط جدا اليوم امس غدا الان يوم ليله صباح مساء الشهر الاسبوع السنه العام عام سنه
شهر اسبوع الماضي الماضيه المقبل القادم الساعه ساعه عاما سنوات اشهر ايام يوما شهرين
الشرطه الامن السجن المحكمه النيابه الحكومه الدوله الرئيس الوزير الوزاره القوات
الجيش المخابرات محتجز محتجزه معتقل معتقله مختف مختفيا مفقود محبوس موقوف طالب طالبه صحفي
صحفيه ناشط ناشطه محامي محاميه اخي اختي ابي امي ابني ابنتي زوجي زوجتي صديقي عمي خالي
ليلا نهارا صباحا فجرا ظهرا عصرا النيه الفور الرغم الاقل الله قرب بجانب جنب بالقرب
مقابل وسط عليه عليها له لها به بها منه
منها اليه اليها عنه عنها معه
معها ايه اي وقد فقد وهو وهي فهو فهي فهم لانه لانها المقرر المقرره الخاص الحقوقي الحقوقيه
المستقل المستقله المعني الحقيقي الكامل الاول الثلاثي ثلاث اثنين ثلاثه
بشان بسبب لاجل عبر ضمن نحو اثناء
اربعه خمسه عشره مئات الاف الناس اصيب اصيبت قتل قتلت اختفى اختفت توفي توفيت جرح جرحت
"""
# Beginnings of verb forms: "اعتقل", "استدعى", "انسحب", "سيحاكم".
_AR_VERB_START = re.compile(r"^(?:ا.ت|است|ان|س[يتن])")
# Words that introduce a name: "اسمه أنيس الفرشيشي", "المدعو كريم حداد".
_AR_NAME_CUES = frozenset(
    _ar_key(w) for w in _words("اسمه اسمها اسمي يدعى تدعى المدعو المدعوة واسمه واسمها")
)
# Formal titles, which may be followed by a family name alone ("السيدة الكبيسي").
_AR_FORMAL_TITLES = frozenset(
    _ar_key(w) for w in _words("السيد السيدة الدكتور الدكتورة الأستاذ الأستاذة الشيخ")
)
# Nouns after which a name is the name of a place or an institution.
_AR_PLACE_NOUNS = frozenset(
    _ar_key(w)
    for w in _words(
        """شارع بشارع نهج زنقة ساحة حي جامعة مستشفى مسجد مدرسة مطار ميناء مؤسسة جائزة
        مركز سجن قاعة مكتبة معهد كلية ثانوية مدينة حديقة جسر"""
    )
)
_AR_JUDGE = frozenset({"القاضي", "القاضيه"})
_AR_NAME_PARTICLES = frozenset({"بن", "بنت", "ابن", "ابنه"})
_AR_KUNYA = frozenset({"ابو", "ام"})


def _build_places() -> tuple[frozenset[tuple[str, ...]], frozenset[str]]:
    """Place names as tuples of word keys (Latin/Cyrillic), and Arabic place words."""
    latin: set[tuple[str, ...]] = set()
    arabic: set[str] = set()
    names = _babel_places() + [n.strip() for n in _EXTRA_PLACES.split(",")]
    for name in names:
        for part in re.split(r"[(),&/]|\s-\s|\b(?:and|et|y|и)\b", name):
            tokens = [
                t for t in _WORD.findall(part) if t.casefold() not in {"of", "the", *_CONNECTORS}
            ]
            if not tokens:
                continue
            if _is_arabic(tokens[0][0]):
                arabic.update(_ar_key(t) for t in tokens)
            else:
                latin.add(tuple(_key(t) for t in tokens))
        tokens_whole = _WORD.findall(name)
        if tokens_whole and not _is_arabic(tokens_whole[0][0]):
            latin.add(tuple(_key(t) for t in tokens_whole))
    return frozenset(latin), frozenset(arabic)


_LETTER = r"(?:[^\W\d_]|[\u0300-\u036f])"
_WORD = re.compile(rf"{_LETTER}+(?:['\-]{_LETTER}+)*")

_MONTHS = _babel_months()
_DAYS = _babel_days()
_ALL_PLACES, _AR_PLACES = _build_places()
# Cities that are also given names ("Sofia", "Regina") are not places on their own.
_PLACES = frozenset(p for p in _ALL_PLACES if len(p) > 1 or p[0] not in _GIVEN_LATIN)
# Given names that are also the name of a place ("Jordan", "Florence", "Paz"): alone, they
# are a name only in context.
_GIVEN_PLACES = frozenset(p[0] for p in _ALL_PLACES if len(p) == 1) & _GIVEN
_PLACE_MAX = max(len(p) for p in _PLACES)
_CYR_PLACE_PREFIXES = frozenset(
    p[0][:4] for p in _ALL_PLACES if len(p) == 1 and len(p[0]) >= 4 and _is_cyrillic(p[0][0])
)
_STOP = _keys(_words(_COMMON_WORDS)) | _keys(_MONTHS) | _keys(_DAYS)
# Language names and nationality adjectives are compared with their accents: "Germán" is
# a given name, "German" a language.
_BABEL_WORDS = frozenset(w.casefold() for w in _babel_demonyms_and_languages()) - _GIVEN_LATIN
_ORG = _keys(_words(_ORG_WORDS))
_TITLE_KEYS = _keys(_words(_TITLES))
_AR_TITLE_SET = frozenset(_ar_key(w) for w in _words(_AR_TITLES))
_AR_GIVEN_SET = frozenset(_ar_key(w) for w in _words(_AR_GIVEN)) | frozenset(
    _ar_key(w) for w in _load_words("given_ar.txt")
)
_AR_STOP_SET = (
    frozenset(_ar_key(w) for w in _words(_AR_STOP))
    | frozenset(_ar_key(m) for m in _MONTHS if _is_arabic(m[0]))
    | frozenset(_ar_key(d) for d in _DAYS if _is_arabic(d[0]))
    | (_AR_PLACES - _AR_GIVEN_SET)
)

# --------------------------------------------------------------------------------------
# E-mail addresses, plain and written out ("name at domain dot com", "name [at] domain").

# Latin and Cyrillic letters: an address may follow a Chinese or Arabic word without a
# space ("邮箱zhang@qq.com"), and internationalised domains are written in any script
# ("user@почта.рф").
_ALNUM = r"A-Za-z0-9\u0400-\u04ff"
_EMAIL = re.compile(
    rf"(?<![{_ALNUM}_.+\-])[{_ALNUM}](?:[{_ALNUM}._%+\-]*[{_ALNUM}_])?"
    r"@[^\W_](?:[\w\-]*[^\W_])?(?:\.[\w\-]+)*\.(?:[A-Za-z]{2,24}|[\u0400-\u04ff]{2,24}|xn--[a-z0-9\-]+)"
    rf"(?![{_ALNUM}_@])"
)
# "zhang#qq.com", as people write to keep an address from robots.
_HASH_EMAIL = re.compile(
    rf"(?<![{_ALNUM}_.+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*#[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*"
    rf"\.[A-Za-z]{{2,24}}(?![{_ALNUM}_@])"
)
# Spelt out in Arabic letters: "زينب آت جيميل دوت كوم".
_AR_AT = r"(?:آت|أت|ات|at)"
_AR_DOT = r"(?:دوت|نقطة|نقطه|dot)"
_AR_LABEL = r"(?:[A-Za-z0-9][A-Za-z0-9._\-]*|[\u0621-\u064a]+(?:\s?ميل)?)"
_AR_EMAIL = re.compile(
    rf"(?<![\w.])(?:[A-Za-z0-9][A-Za-z0-9._\-]*|[\u0621-\u064a]+)\s+{_AR_AT}\s+{_AR_LABEL}"
    rf"(?:\s+{_AR_DOT}\s+{_AR_LABEL})*\s+{_AR_DOT}\s+"
    r"(?:com|net|org|ru|fr|كوم|نت|اورج|أورج|[a-z]{2})(?!\w)"
)
_AT_WORDS = r"(?:at|arroba|arobase|собака|sobaka)"
_DOT_WORDS = r"(?:dot|punto|point|точка|tochka)"
_BRACKET_AT = rf"\s*[\[\(\{{<]\s*(?:{_AT_WORDS}|@)\s*[\]\)\}}>]\s*"
_PLAIN_AT = rf"\s+{_AT_WORDS}\s+|\s*@\s+|\s+@\s*"
_BRACKET_DOT = rf"\s*[\[\(\{{<]\s*(?:{_DOT_WORDS}|\.)\s*[\]\)\}}>]\s*"
_PLAIN_DOT = rf"\s+{_DOT_WORDS}\s+"
_LABEL = r"[A-Za-z0-9][A-Za-z0-9_%+\-]*"
_DOTS = rf"(?:{_BRACKET_DOT}|{_PLAIN_DOT}|\.)"
# After a plain " at ", only a country code or a common top-level domain ends the address.
_TLD = r"(?:[A-Za-z]{2}|com|net|org|info|edu|gov|int|ngo|ong|app|online|email|mail|site)"
_OBFUSCATED_EMAIL = re.compile(
    rf"(?i)(?<![{_ALNUM}_.])(?:{_LABEL}(?:{_DOTS}{_LABEL})*"
    rf"(?:(?:{_BRACKET_AT})(?:{_LABEL}(?:{_DOTS}{_LABEL})*)"
    rf"|(?:{_PLAIN_AT}){_LABEL}(?:{_DOTS}{_LABEL})*{_DOTS}{_TLD}(?![\[\(\{{<])))(?![{_ALNUM}_@])"
)


def _emails(text: str) -> Iterator[Span]:
    for m in _EMAIL.finditer(text):
        yield m.start(), m.end(), "email"
    if "@" in text or re.search(rf"(?i){_AT_WORDS}", text):
        for m in _OBFUSCATED_EMAIL.finditer(text):
            yield m.start(), m.end(), "email"
    if "#" in text:
        for m in _HASH_EMAIL.finditer(text):
            yield m.start(), m.end(), "email"
    if re.search(_AR_AT, text) and re.search(_AR_DOT, text):
        for m in _AR_EMAIL.finditer(text):
            yield m.start(), m.end(), "email"


# --------------------------------------------------------------------------------------
# Dates and birth dates.

_MONTH_ALT = "|".join(
    re.escape(m).replace(r"\ ", r"\s+") for m in sorted(_MONTHS, key=len, reverse=True)
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_ORD = r"(?:st|nd|rd|th|er|re|º|°|-?го|-?е)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_DATE = re.compile(
    rf"(?i)(?<![\w/.\-])(?:"
    rf"(?P<full>{_DAY}{_ORD}(?:\s+of|\s+de)?\s+(?:{_MONTH_ALT})\.?,?\s+(?:(?:de|del|of)\s+)?{_YEAR}"
    rf"|(?:{_MONTH_ALT})\.?\s+{_DAY}{_ORD},?\s+{_YEAR}"
    rf"|{_DAY}[./\-](?:1[0-2]|0?[1-9])[./\-](?:{_YEAR}|\d\d)"
    rf"|{_YEAR}[./\-](?:1[0-2]|0?[1-9])[./\-]{_DAY})"
    rf"|(?P<part>{_DAY}{_ORD}(?:\s+of|\s+de)?\s+(?:{_MONTH_ALT})\b\.?"
    rf"|(?:{_MONTH_ALT})\.?,?\s+(?:(?:de|del|of)\s+)?{_YEAR})"
    rf"|(?P<year>{_YEAR}))(?![\w]|[./\-]\d)"
)
_BIRTH_CUE = re.compile(
    r"(?i)(?<!\w)(?:born|birth|birthday|birthdate|d\.?o\.?b\.?|b\.|ddn|d\.d\.n\.?|д\.\s?р\.?|"
    r"né|née|nés|nées|nee|naissance|"
    r"naci[óo]|nacid[oa]s?|nacimiento|f\.\s?nac\.?|"
    r"родил(?:ся|ась|ись)|рождения|рожд\.|г\.\s?р\.?|"
    r"[وف]?ولد(?:ت|وا|تا)?|مواليد|المولود[ةه]?|مولود[ةه]?|ميلاد\w*|الميلاد)(?!\w)"
)
_AGE_CUE = re.compile(r"(?i)(?<!\w)(?:age|aged|âge|âgée?s?|edad|возраст\w*|العمر|عمره|عمرها)(?!\w)")
_YEAR_BIRTH_BEFORE = re.compile(
    r"(?i)(?:born|b\.|né|née|nee|nacid[oa]|naci[óo]|родил(?:ся|ась)|مواليد|المولود[ةه]?|"
    r"ولد(?:ت)?)\s+(?:in|en|el\s+año|в|عام|سنة|سنه|في|في\s+عام|في\s+سنة)?\s*$"
)
_YEAR_BIRTH_AFTER = re.compile(
    r"(?i)^\s*(?:года?\s+рождения|[гд]\.\s?р\.?|год\s+рождения)"
)
_SENTENCE_BREAK = re.compile(r"[!?;\n]|\.\s+[A-ZА-ЯЁ]")


def _clean_gap(gap: str) -> bool:
    return not _SENTENCE_BREAK.search(gap)


def _birth_dates(text: str) -> Iterator[Span]:
    cues = [(m.start(), m.end()) for m in _BIRTH_CUE.finditer(text)]
    ages = [(m.start(), m.end()) for m in _AGE_CUE.finditer(text)]
    if not cues and not ages:
        return
    for m in _DATE.finditer(text):
        start, end = m.span()
        if m.group("year"):
            before = text[max(0, start - 30) : start]
            if _YEAR_BIRTH_BEFORE.search(before) or _YEAR_BIRTH_AFTER.match(text[end : end + 20]):
                yield start, end, "birth_date"
            continue
        near = any(0 <= start - ce <= 45 and _clean_gap(text[ce:start]) for _, ce in cues) or any(
            0 <= cs - end <= 20 and _clean_gap(text[end:cs]) for cs, _ in cues
        )
        if not near and m.group("full"):
            near = any(
                (0 <= start - ae <= 40 and _clean_gap(text[ae:start]))
                or (0 <= as_ - end <= 40 and _clean_gap(text[end:as_]))
                for as_, ae in ages
            )
        if near:
            yield start, end, "birth_date"


# --------------------------------------------------------------------------------------
# Identity document numbers.

_ID_CUE_WORDS = (
    r"(?:(?i:passports?|passeports?|pasaportes?|загранпаспорт\w*|паспорт\w*"
    r"|national\s+id(?:entity)?(?:\s+card)?|identity\s+card|id\s+card|identity\s+number"
    r"|carte\s+(?:nationale\s+)?d'identit[ée]|pi[eè]ce\s+d'identit[ée]"
    r"|c[ée]dula(?:\s+de\s+(?:identidad|ciudadan[íi]a))?|carn[ée]t?\s+de\s+identidad"
    r"|documento\s+(?:nacional\s+)?de\s+identidad|удостоверени\w+\s+личности"
    r"|national\s+(?:insurance\s+|identification\s+)?number|num[ée]ro\s+national"
    r"|social\s+security(?:\s+number)?|s[ée]curit[ée]\s+sociale"
    r"|رقم\s+الهوية|الهوية|بطاقة\s+(?:الهوية|التعريف)(?:\s+الوطنية)?|جواز\s+(?:ال)?سفر\w*"
    r"|جواز\w*|الرقم\s+(?:الوطني|القومي)|رقم\s+(?:وطني|قومي))"
    r"|\b(?:ID|I\.D\.|CIN|CNI|DNI|NIE|NIF|CURP|RUT|RUN|CPF|NIN|SSN|NSS|ИНН|СНИЛС)\b)"
)
_ID_NUMBER = r"(?P<id>(?=[A-Z0-9]*\d)[A-Z0-9]+(?:(?:[ .\-/]|\s*№\s*)[A-Z0-9]+)*)(?![\w])"
# Cue, then words like "number", "no.", "is", "серии", then the number.
_ID_CUE = re.compile(
    _ID_CUE_WORDS
    + r"(?:\s*(?:[:#№—\-]|n[°º]\.?|no\.?|(?i:number|num[ée]ro|n[úu]mero|номер|сери[яи]|رقم|عدد"
    r"|is|was|est|es|era|это|هو)(?!\w))){0,4}\s*" + _ID_NUMBER
)
# Cue, then up to three other words ("ИНН его матери — 502712345678"): long numbers only.
_ID_CUE_LOOSE = re.compile(
    _ID_CUE_WORDS + r"(?:[\s:,—\-]+(?:[^\W\d]{1,12}|n[°º]\.?|no\.|№)){0,4}[\s:,—\-]+" + _ID_NUMBER
)
_ID_SHAPE = re.compile(
    r"(?<![A-Za-z0-9_/.\-])(?:[A-Z]{2}\d{7}|[A-Z]\d{7,8}|\d{2}[A-Z]{2}\d{5}|\d{8}[A-Z]|[XYZ]\d{7}[A-Z]"
    r"|[A-Z]{4}\d{6}[HM][A-Z]{5}[A-Z0-9]\d|\d{1,2}\.\d{3}\.\d{3}-[\dkK])(?![A-Za-z0-9_/])"
)


def _id_numbers(text: str) -> Iterator[Span]:
    for m in _ID_CUE.finditer(text):
        token = m.group("id")
        digits = sum(ch.isdigit() for ch in token)
        if digits >= 5 and len(token) <= 30:
            yield m.start("id"), m.end("id"), "id_number"
    for m in _ID_CUE_LOOSE.finditer(text):
        token = m.group("id")
        if sum(ch.isdigit() for ch in token) >= 7 and len(token) <= 30:
            yield m.start("id"), m.end("id"), "id_number"
    for m in _ID_SHAPE.finditer(text):
        yield m.start(), m.end(), "id_number"


# --------------------------------------------------------------------------------------
# Phone numbers.

_PHONE = re.compile(
    rf"(?:(?<=[\u0600-\u06ff{_HAN}])|(?<![\w+/.,\-]))(?P<plus>\+|00)?\s?"
    r"(?:\(\d{1,5}\)\s?\d*|\d+)(?:(?:[ .\-]|\s-\s)(?:\(\d{1,5}\)\s?\d*|\d+))*"
    rf"(?!(?![{_HAN}])\w|/|[.,]\d)"
)
_PHONE_CUE = re.compile(
    r"(?i)(?:phone|tel|tél|téléphone|telephone|mobile|cell|call|whatsapp|signal|telegram|viber"
    r"|number|num[ée]ro|n[úu]mero|portable|appel\w*|teléfono|telefono|celular|m[óo]vil|llam\w*"
    r"|телефон\w*|номер\w*|звон\w*|моб\w*|هاتف\w*|جوال\w*|موبايل|واتساب|اتصل\w*|رقم\w*)"
    r"[\s:.,]*(?:(?:is|est|es|le|el|au|al|on|at|me|me\s+on|على)\s+)*$"
)
_LEGAL_CUE = re.compile(
    r"(?i)(?:law|loi|ley|decree|décret|decreto|article|art\.|artículo|статья|статьи|закон\w*"
    r"|дело|case|affaire|dossier|expediente|causa|resolution|résolution|resolución"
    r"|резолюц\w*|قانون|مرسوم|المرسوم|القضية|قضية|المادة|القرار|قرار|n[°º]|no\.|№)\s*$"
)
_COUNT_FOLLOW_OK = frozenset(
    _words(
        """
        or and ou et o y или и او أو on sur en por по على at à a ou/and
        """
    )
)
_DATE_SHAPE = re.compile(
    r"^(?:\d{1,2}[.\-]\d{1,2}[.\-](?:\d{4}|\d{2})|\d{4}[.\-]\d{1,2}[.\-]\d{1,2})$"
)
_YEARS_ONLY = re.compile(r"^(?:1[89]\d\d|20\d\d)(?:[ .\-]+(?:1[89]\d\d|20\d\d))*$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:([ .])\d{3})(?:\1\d{3})*$")
_NEXT_WORD = re.compile(r"\s*([^\W\d_]+)")


def _phones(text: str) -> Iterator[Span]:
    for m in _PHONE.finditer(text):
        start, end = m.span()
        raw = m.group()
        if raw[:1].isspace():
            start += 1
            raw = raw[1:]
        digits = sum(ch.isdigit() for ch in raw)
        if digits < 7 or digits > 15:
            continue
        body = raw.lstrip("+").strip()
        international = raw.startswith("+") or (raw.startswith("00") and digits >= 10)
        before = text[max(0, start - 30) : start]
        cue = bool(_PHONE_CUE.search(before))
        if not international:
            if _DATE_SHAPE.match(body) or _YEARS_ONLY.match(body):
                continue
            if "(" in body and not re.match(r"^(?:\d{1,3}[ .\-]?)?\(", body):
                continue
            if not cue and _LEGAL_CUE.search(before):
                continue
            if _THOUSANDS.match(body) and not cue:
                after = text[end : end + 2]
                nxt = _NEXT_WORD.match(text, end)
                if re.match(r"\s*[%$€£¥₽]", after) or re.search(r"[$€£¥₽]\s*$", before):
                    continue
                if (
                    nxt
                    and nxt.start(1) - end <= 1
                    and nxt.group(1).casefold() not in (_COUNT_FOLLOW_OK)
                ):
                    continue
        yield start, end, "phone"


# --------------------------------------------------------------------------------------
# Street addresses.

_CAP = r"[A-ZÀ-ÖØ-Þ][\w'\-]*"
_CAPC = r"[А-ЯЁ][\w\-]*"
_AR = r"[\u0621-\u064a]+"
_ADDRESS = re.compile(
    # 27 Green Lane / 5 Al-Nour Street
    rf"(?<![\w/.,])\d{{1,5}}[A-Za-z]?,?\s+(?:{_CAP}\.?\s+){{1,4}}"
    r"(?i:street|st\.|avenue|ave\.?|road|rd\.?|boulevard|blvd\.?|lane|ln\.?|drive|way|close"
    r"|place|square|terrace|crescent|highway)(?!\w)"
    # 14 rue des Lilas / 8 avenue de la République
    r"|(?<![\w/.,])\d{1,4}(?:\s?(?i:bis|ter))?,?\s+"
    r"(?i:rue|avenue|av\.|boulevard|bd\.?|bld\.?|impasse|all[ée]e|chemin|route|quai|cours"
    r"|cit[ée]|r[ée]sidence|passage|square|place|street|road)\s+"
    rf"(?:(?i:de\s+la|de|du|des|d'|l'|la|le|les|el|al)\s*)?[A-ZÀ-Ý0-9][\w'\-]*(?:\s+{_CAP}){{0,3}}"
    # Calle Libertad 245 / Carrera 7 # 45-23 / Jr. Ayacucho 512
    r"|(?<!\w)(?i:calle|c/|avenida|av\.|avda\.?|carrera|cra\.?|kra\.?|cl\.|diagonal|transversal"
    r"|paseo|pasaje|jir[óo]n|jr\.|calzada|camino|callej[óo]n|bulevar|rua|avenue|rue)\s+"
    r"(?:(?:[A-ZÀ-Ý0-9][\w'.\-]*|de|del|la|las|los|y)\s+){0,4}?[A-ZÀ-Ý0-9][\w'.\-]*(?:\s*,\s*|\s+)"
    r"(?:(?i:n[º°o]\.?|#|no\.|número|num\.)\s*)?\d{1,5}[A-Za-z]?(?:\s*[#\-]\s*\d{1,4}[A-Za-z]?)*"
    r"(?![\w/])"
    # улица Ленина, д. 15 / ул. Садовая, 12
    r"|(?<!\w)(?i:улиц[аеуы]|ул\.|проспект[аеу]?|просп\.|пр-т|переул(?:ок|ка|ке)|пер\."
    r"|шоссе|бульвар[аеу]?|б-р|площад[ьи]|пл\.|набережн(?:ая|ой|ую)|наб\.|проезд[аеу]?"
    rf"|микрорайон[аеу]?|мкр\.?)\s*[А-ЯЁ0-9][\w\-]*(?:\s+{_CAPC})?\s*,?\s*"
    r"(?:(?i:д\.|дом)\s*№?\s*)?\d{1,4}(?:[а-яА-Я]|/\d+)?(?![\d\w])"
    # Тверская улица, дом 8
    rf"|{_CAPC}\s+(?i:улица|проспект|переулок|шоссе|бульвар|площадь|набережная)\s*,?\s*"
    r"(?:(?i:д\.|дом)\s*№?\s*)?\d{1,4}(?![\d\w])"
    # дом 5 по улице Гагарина
    r"|(?<!\w)(?i:д\.|дом[еау]?)\s*№?\s*\d{1,4}[а-я]?(?![\d\w])"
    r"(?:\s*,?\s*(?:по\s+)?(?i:улиц[аеы]|ул\.|проспект[ау]?|переулк[ау])\s+[А-ЯЁ][\w\-]*)?"
    # flats and apartments
    r"|(?<!\w)(?i:apartment|apt\.?|flat|suite|appartement|appt\.?|app\.|apartamento|apto\.?"
    r"|departamento|depto\.?|dpto\.?|piso|кв\.|квартир[аеуы]|شقة|الشقة|بناية|عمارة|العمارة)"
    r"\s*(?:(?i:no\.?|n[°º]|#|№|رقم|عدد)\s*)?(?:\d{1,4}[A-Za-z]?|[A-Z])(?![\w])"
    r"|(?<!\w)(?i:bâtiment|bat\.|torre|корпус|корп\.|строение)\s+(?:\d{1,3}|[A-Z])(?![\w])"
)
_AR_STREET = re.compile(
    rf"(?P<num>\d{{1,4}}\s*,?\s*)?(?<![\w])ب?(?:شارع|نهج|زنقة|حي|طريق|ساحة)\s+"
    rf"(?P<name>{_AR}(?:\s+{_AR})?)"
)


def _ar_street_word(key: str) -> bool:
    """Whether a word can be the second word of a street's name ("الحبيب بورقيبة")."""
    return key not in _AR_STOP_SET and key[:1] not in {"و", "ف"} and not key.endswith("وا")


_AR_STREET_AFTER = re.compile(
    r"\s*,?\s*(?:(?:رقم|عدد|بناية|عمارة|العمارة|منزل|المنزل|شقة|الطابق)\s*)?\d"
)
_AR_RESIDENCE = re.compile(
    r"(?:يسكن|تسكن|يقيم|تقيم|يعيش|تعيش|اسكن|أسكن|نسكن|عنوان\w*|منزل\w*|بيت\w*|سكن\w*)"
    r"\s*:?\s*(?:في\s+)?$"
)


def _addresses(text: str) -> Iterator[Span]:
    for m in _ADDRESS.finditer(text):
        yield m.start(), m.end(), "address"
    if not any(_is_arabic(ch) for ch in text):
        return
    for m in _AR_STREET.finditer(text):
        start, end = m.span()
        last = text[start:end].split()[-1]
        if len(m.group("name").split()) == 2 and not _ar_street_word(_ar_key(last)):
            end -= len(last)
            end = len(text[:end].rstrip())
        ok = (
            bool(m.group("num"))
            or bool(_AR_STREET_AFTER.match(text, end))
            or bool(_AR_RESIDENCE.search(text[max(0, start - 20) : start]))
        )
        if ok:
            yield start, end, "address"


# --------------------------------------------------------------------------------------
# Chinese: names (family name + one or two characters, with a title after or a cue
# before), resident ID numbers, street addresses and birth dates. Chinese is written
# without spaces, so a family name counts only in context.

_HAN_RE = re.compile(f"[{_HAN}]")
_ZH_SURNAMES = sorted(_load_words("surnames_zh.txt"), key=len, reverse=True)
_ZH_SURNAME = "|".join(re.escape(s) for s in _ZH_SURNAMES) or "(?!)"
# Characters after which a name has ended (particles, common verbs, punctuation).
_ZH_AFTER = "被已曾因在说是和与及的也都于今昨等向将把对从到了，。、：；！？,.;:!?()（）\\s"
# Characters that are not part of a given name: the above, numerals, measure words and
# the last characters of institutions and places.
_ZH_NOT_GIVEN = (
    _ZH_AFTER + "一二三四五六七八九十百千两几每该各这那其个名位些们人为就还不没很再又"
    "省市县区镇村乡路街道号局院部厅所会委队府司处科室组党军庭馆站场厂店校楼族年月日时分"
    "社团台网报刊"
)
_ZH_ORG_END = frozenset(
    "社团台网报刊局院部厅所会委队府司处科室组党军庭馆站场厂店校楼省市县区镇村乡路街"
)
_ZH_GIVEN = f"(?:(?![{_ZH_NOT_GIVEN}])[{_HAN}])"
_ZH_TITLES = (
    "先生|女士|小姐|律师|老师|医生|大夫|记者|教授|博士|警官|法官|同学|阿姨|牧师|书记|主任|太太"
)
_ZH_CUES = (
    "名叫|叫做|叫|名字是|名字叫|姓名[:：]?|联系人[:：]?|弟弟|哥哥|姐姐|妹妹|丈夫|妻子|老公|老婆|"
    "爸爸|妈妈|父亲|母亲|儿子|女儿|朋友|同事|邻居|表哥|表姐|表弟|表妹|堂哥|堂弟|侄子|"
    "律师|记者|维权人士|活动人士|异见人士|人权捍卫者|公民记者|作家|艺术家|牧师|学者|医生|"
    "联系了|联系|打电话给|逮捕了|拘留了|抓走了|带走了|抓了|见到了|见到|见了|会见了|探视|"
    "起诉了|告诉|问问|找到了|找|把|给|打了|殴打了|关着|关押了|释放了|看望|通知|姓|没有|"
    "看到了|看到|看见了|看见|遇到了|遇到|碰到|见过|放了|转告|问|带走|抓走|抓捕了|抓捕|"
    "拘押了|传唤了|约谈了|威胁|跟踪|寻找|找不到|联系不上|关心|探望|陪|和|跟|与|"
    "叔叔|舅舅|姑姑|姨妈|爷爷|奶奶|外公|外婆|伯伯|婶婶|侄女|外甥女|外甥|孙子|孙女|未婚夫|"
    "未婚妻|提到|提起|联系上|联系到|打听|问起|岁的|警员|民警|狱警|警察|看守"
)
# Common words and place names that begin with a family name ("方面", "成都").
_ZH_NOT_NAMES = _load_words("not_names_zh.txt")
_ZH_NAME = re.compile(
    rf"(?P<title>(?P<a>{_ZH_SURNAME})(?P<ag>{_ZH_GIVEN}{{0,2}})(?:{_ZH_TITLES}))"
    rf"|(?:{_ZH_CUES})了?\s*(?P<cue>(?P<b>{_ZH_SURNAME})(?P<bg>{_ZH_GIVEN}{{1,2}})|[小阿]{_ZH_GIVEN})"
    rf"|(?:^|(?<=[，。、：；！？\s,.;:!?（(]))(?P<clause>(?P<c>{_ZH_SURNAME})"
    rf"(?P<cg>{_ZH_GIVEN}{{1,2}}))(?=[{_ZH_AFTER}]|$)"
    rf"|姓(?P<fam>{_ZH_SURNAME})"
)


_ZH_GROUPS = (
    ("title", "a", "ag"),
    ("cue", "b", "bg"),
    ("clause", "c", "cg"),
    ("fam", "fam", "fam"),
)


def _zh_common(family: str, given: str) -> bool:
    word = family + given
    return any(word[:k] in _ZH_NOT_NAMES for k in range(2, len(word) + 1))


def _zh_names(text: str) -> Iterator[Span]:
    for m in _ZH_NAME.finditer(text):
        for group, family, given in _ZH_GROUPS:
            if m.group(group) is None:
                continue
            fam = m.group(family)
            if fam is not None and _zh_common(fam, m.group(given)):
                break
            start, end = m.start(group), m.end(group)
            if group == "title" and start and text[start - 1] + fam in _ZH_NOT_NAMES:
                break
            if group != "title" and text[end : end + 1] in _ZH_ORG_END:
                break  # "路透社", "王府井": the name of an organisation or a place
            yield start, end, "name"
            break


_ZH_ID = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}"
    r"[\dXx](?![0-9A-Za-z])"
)
_ZH_NUM = "(?:\\d{1,5}|[一二三四五六七八九十]{1,3})"
_ZH_ADDRESS = re.compile(
    rf"(?:[{_HAN}]{{1,10}}?(?:路|街|大道|大街|巷|弄|胡同)[东南西北中]{{0,2}}(?:[一二三四五六七八九十\d]{{1,2}}段)?"
    rf"\s*\d{{1,5}}\s*号(?:\s*(?:附|之)?\s*{_ZH_NUM}\s*(?:栋|幢|号楼|单元|层|楼|室|号|座))*)"
    rf"|(?:\d{{1,4}}\s*(?:栋|幢|号楼)\s*(?:\d{{1,3}}\s*单元)?\s*\d{{1,5}}\s*室?)"
    rf"|(?<![\d.])\d{{2,5}}\s*室"
)
_ZH_DATE = r"\d{4}\s*(?:年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?|[./\-]\d{1,2}[./\-]\d{1,2}|年)"
_ZH_BIRTH = re.compile(
    rf"(?:出生(?:日期|年月日|年月)?|生日|(?<![发产])生于|出生于)\s*[:：是为于在]?\s*(?P<d>{_ZH_DATE})"
    rf"|(?P<e>{_ZH_DATE})\s*(?:出生|生人|生(?=[，。,.\s于在]|$))"
)


def _chinese(text: str) -> Iterator[Span]:
    if not _HAN_RE.search(text):
        return
    yield from _zh_names(text)
    for m in _ZH_ID.finditer(text):
        yield m.start(), m.end(), "id_number"
    for m in _ZH_ADDRESS.finditer(text):
        yield m.start(), m.end(), "address"
    for m in _ZH_BIRTH.finditer(text):
        group = "d" if m.group("d") else "e"
        yield m.start(group), m.end(group), "birth_date"


# --------------------------------------------------------------------------------------
# Personal names.


@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    word: str
    key: str
    kind: str  # cap, upper, initial, conn, title, ar, low, stop


_ELISION = re.compile(r"^(?:[lLdDjJmMnNsStTcC]|[Qq]u)'(?=\w)")
_CYR_SURNAME = re.compile(r"(?:(?:ов|ев|ёв|ин|ын)(?:а|у|ым|ой|ом|е|ых)?|енко|йко|чко|шко|чук|юк)$")
_PATRONYMIC = re.compile(r"(?:ович|евич|ич|овна|евна|ична|инична)(?:а|у|ем|ом|е|ой|ы|ой)?$")


# An initial is a capital letter and a full stop before a space ("K. Haddad"), not "N.º".
_INITIAL_END = re.compile(r"\.(?=\s|$)")


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _WORD.finditer(text):
        start, word = m.start(), m.group()
        el = _ELISION.match(word)
        if el:
            prefix = word[: el.end()]
            out.append(_Tok(start, start + len(prefix), prefix, prefix.lower(), "conn"))
            start += len(prefix)
            word = word[len(prefix) :]
        out.append(_Tok(start, start + len(word), word, "", ""))
    for tok in out:
        if tok.kind:
            continue
        word = tok.word
        first = word[0]
        tok.key = _key(word)
        if _is_arabic(first):
            tok.kind = "ar"
        elif (
            tok.key in _TITLE_KEYS
            or (word == "M" and text[tok.end : tok.end + 1] == ".")
            or (word == "Me" and text[tok.end : tok.end + 1] == " ")  # French "Maître"
        ):
            tok.kind = "title"  # "M." is the French "Monsieur"
        elif len(word) == 1:
            if first.isupper() and _INITIAL_END.match(text, tok.end):
                tok.kind = "initial"
            else:
                tok.kind = "stop"
        elif word.casefold() in _CONNECTORS:
            tok.kind = "conn" if word[0].islower() or word.casefold() in {"bin", "ibn"} else "cap"
            if tok.kind == "cap" and word.casefold() in {"de", "la", "le", "el", "los", "las"}:
                tok.kind = "stop"
        elif first.isupper():
            letters = [c for c in word if c.isalpha()]
            tok.kind = "upper" if all(c.isupper() for c in letters) else "cap"
        elif re.match(r"^(?:al|el|ad|as|ash|at|ar|an|az|bin|ben|abu|abou|ibn|bou)-[A-Z]", word):
            tok.kind = "cap"
        else:
            tok.kind = "low"
    return out


def _gap_ok(text: str, a: _Tok, b: _Tok) -> bool:
    gap = text[a.end : b.start]
    if gap == " " or (gap.isspace() and "\n" not in gap):
        return True
    return a.kind in {"initial", "title"} and gap.strip() == "." and "\n" not in gap


def _is_org(tok: _Tok) -> bool:
    if tok.key in _ORG:
        return True
    if "-" in tok.word:
        return any(_key(part) in _ORG for part in tok.word.split("-"))
    return False


_CYR_ADJ_END = re.compile(r"(?:ого|его|ому|ему|ий|ый|ая|яя|ой|ом|ым|им)$")
# Russian adjectives made from a place name: "Бишкекского городского суда".
_CYR_ADJ = re.compile(r"^(\w{4})\w*[сц]к(?:ий|ая|ое|ого|ому|им|ой|ом|ую|их|ие|ими)$")


def _is_stop(tok: _Tok) -> bool:
    if tok.kind == "initial":
        return False  # "A. Karimov": the initial, not the article
    word = tok.word
    if len(word) >= 3 and word[-1] == "s" and word[:-1].isupper():
        return True  # a plural acronym: "NGOs", "HRDs", "IDPs"
    if _is_cyrillic(tok.word[0]):
        adj = _CYR_ADJ.match(tok.word.casefold())
        if adj and adj.group(1) in _CYR_PLACE_PREFIXES:
            return True
    if tok.key in _STOP or tok.word.casefold() in _BABEL_WORDS:
        return True
    return tok.kind == "upper" and (tok.key in _ACRONYMS or len(tok.word) <= 3)


def _runs(text: str, toks: list[_Tok]) -> Iterator[tuple[list[_Tok], _Tok | None, _Tok | None]]:
    """Maximal runs of capitalised words joined by spaces and name particles.

    Yields the run, the title before it (if any) and the word before it (if any).
    """
    i = 0
    n = len(toks)
    while i < n:
        tok = toks[i]
        if tok.kind not in {"cap", "upper", "initial"}:
            i += 1
            continue
        title = None
        prev = toks[i - 1] if i > 0 else None
        if prev is not None and prev.kind == "title" and _gap_ok(text, prev, tok):
            title = prev
        run = [tok]
        j = i + 1
        while j < n:
            nxt = toks[j]
            if not _gap_ok(text, run[-1], nxt):
                break
            if nxt.kind in {"cap", "upper", "initial"}:
                run.append(nxt)
                j += 1
                continue
            if nxt.kind == "conn":
                if nxt.key in _AFTER_DE and run[-1].key not in {"de", "d'"}:
                    break
                run.append(nxt)
                j += 1
                continue
            break
        while run and run[-1].kind == "conn":
            run.pop()
        yield run, title, prev
        i = j if j > i else i + 1


def _segments(run: list[_Tok]) -> list[list[_Tok]]:
    """Split a run into connector-free segments, keeping connectors between them."""
    out: list[list[_Tok]] = [[]]
    for tok in run:
        if tok.kind == "conn":
            out.append([tok])
            out.append([])
        else:
            out[-1].append(tok)
    return [s for s in out if s]


def _drop_places(seg: list[_Tok]) -> list[list[_Tok]]:
    """Remove place names and stop words from a segment; split it where they were."""
    parts: list[list[_Tok]] = [[]]
    i = 0
    if seg and seg[0].key in _PLACE_PREFIXES and len(seg) > 1:
        return []
    while i < len(seg):
        matched = 0
        for size in range(min(_PLACE_MAX, len(seg) - i), 0, -1):
            if tuple(t.key for t in seg[i : i + size]) in _PLACES:
                matched = size
                break
        if (
            matched == 1
            and parts[-1]
            and parts[-1][-1] is seg[i - 1]
            and (seg[i - 1].key in _GIVEN or len(parts[-1]) > 1)
        ):
            matched = 0  # a surname that is also a place: "Carlos Mendoza"
        if matched == 1 and i + 1 < len(seg) and seg[i].key in _GIVEN and not parts[-1]:
            matched = 0  # a given name that is also a place, before a surname: "Paz Mendoza"
        if matched:
            parts.append([])
            i += matched
            continue
        if _is_stop(seg[i]):
            parts.append([])
            i += 1
            continue
        parts[-1].append(seg[i])
        i += 1
    return [p for p in parts if p]


def _cut_place_phrases(seg: list[_Tok], out: list[_Tok]) -> list[_Tok]:
    """Move the words of `seg` before its last multi-word place name to `out`, with breaks.

    "United Arab Emirates" must be read as a place before "United" is read as an
    institution word. Returns the rest of the segment.
    """
    i = 0
    start = 0
    while i < len(seg):
        for size in range(min(_PLACE_MAX, len(seg) - i), 1, -1):
            if tuple(t.key for t in seg[i : i + size]) in _PLACES:
                out.extend(seg[start:i])
                out.append(_Tok(0, 0, "", "", "break"))
                i += size
                start = i
                break
        else:
            i += 1
    return seg[start:]


_STREET_BEFORE = _keys(
    _words(
        """
        rue avenue boulevard street road calle avenida carrera plaza place impasse allée улица
        улице улицу улицы проспект проспекте переулок шоссе бульвар площадь набережная
        """
    )
)


_PLACE_PREPOSITIONS = frozenset(_words("in at from near en desde dans depuis près в во из под"))


def _latin_cyrillic_names(text: str, toks: list[_Tok]) -> Iterator[Span]:
    for run, title, prev in _runs(text, toks):
        # A place whose name has a connector in it: "Corée du Nord", "Isla de Man".
        if len(run) <= _PLACE_MAX and tuple(t.key for t in run) in _PLACES:
            continue
        # "mourners in Bahir Dar": after "in", a run without a given name is a place.
        if (
            title is None
            and prev is not None
            and prev.word.casefold() in _PLACE_PREPOSITIONS
            and not any(_is_given(t.word, t.key) for t in run)
        ):
            continue
        if prev is not None and prev.key in _STREET_BEFORE and prev.kind == "low":
            continue
        # "Ленинского районного суда": an adjective before an institution word.
        last = run[-1]
        if _is_cyrillic(last.word[0]) and _CYR_ADJ_END.search(last.word):
            nxt = toks.index(last) + 1
            if nxt < len(toks) and toks[nxt].kind == "low" and _is_org(toks[nxt]):
                continue
        # Words joined to a street word name the street: "Avenue Habib Bourguiba",
        # "Martin Luther King Street".
        if any(t.key in _STREET_BEFORE for t in run):
            continue
        # Institution words: drop everything up to the last one in each tight segment.
        kept: list[_Tok] = []
        for seg in _segments(run):
            if seg[0].kind == "conn":
                kept.extend(seg)
                continue
            seg = _cut_place_phrases(seg, kept)
            last_org = max((k for k, t in enumerate(seg) if _is_org(t)), default=-1)
            if last_org >= 0:
                kept.append(_Tok(0, 0, "", "", "break"))
                seg = seg[last_org + 1 :]
                title = None
            kept.extend(seg)
        # Places and common words break the run into pieces.
        pieces: list[list[_Tok]] = [[]]
        for tok in kept:
            if tok.kind == "break":
                pieces.append([])
            else:
                pieces[-1].append(tok)
        first_piece = True
        for piece in pieces:
            groups: list[list[_Tok]] = [[]]
            for seg in _segments(piece):
                if seg[0].kind == "conn":
                    groups[-1].extend(seg)
                    continue
                split = _drop_places(seg)
                if not split:
                    groups.append([])
                    continue
                whole = len(split) == 1 and len(split[0]) == len(seg)
                if whole:
                    groups[-1].extend(seg)
                else:
                    if split[0][0] is seg[0]:
                        groups[-1].extend(split[0])
                        rest = split[1:]
                    else:
                        rest = split
                    for part in rest:
                        groups.append(list(part))
                    if split[-1][-1] is not seg[-1]:
                        groups.append([])
            for group in groups:
                while group and group[0].kind == "conn":
                    group.pop(0)
                while group and group[-1].kind == "conn":
                    group.pop()
                names = [t for t in group if t.kind in {"cap", "upper", "initial"}]
                if not names:
                    continue
                has_cap = any(t.kind == "cap" for t in names)
                if not has_cap:
                    continue
                titled = title is not None and first_piece and group[0] is run[0]
                start = title.start if titled and title is not None else group[0].start
                end = group[-1].end
                word = names[0].word
                if (
                    len(names) >= 2
                    or titled
                    or (
                        _is_cyrillic(word[0])
                        and len(word) >= 5
                        and bool(_CYR_SURNAME.search(word) or _PATRONYMIC.search(word))
                    )
                ):
                    yield start, end, "name"
            first_piece = False
    # A title followed by a Cyrillic word in lower-case context ("г-н Исмаилов") is covered
    # above; lower-case names typed with a common given name:
    for i in range(len(toks) - 1):
        a, b = toks[i], toks[i + 1]
        if a.kind != "low" or a.key not in _GIVEN_LATIN or not _gap_ok(text, a, b):
            continue
        if b.kind != "low" or len(b.word) < 3 or b.key in _STOP or b.key in _ORG:
            continue
        if (b.key,) in _PLACES or b.key in _MONTHS:
            continue
        yield a.start, b.end, "name"


def _lone_names(text: str, toks: list[_Tok]) -> Iterator[Span]:
    """A given name on its own ("call Maryam", "позвони Светлане", "my brother Yusuf").

    A listed given name counts when capitalised, unless it is also a place; a place-like
    given name, a lower-case given name or an unlisted capitalised word count after a
    kinship or role word or a verb of contact. Words inside a longer capitalised run are
    left to the rules for full names.
    """
    n = len(toks)
    for i, tok in enumerate(toks):
        if tok.kind not in {"cap", "low"} or len(tok.word) < 2:
            continue
        prev = toks[i - 1] if i else None
        nxt = toks[i + 1] if i + 1 < n else None
        if tok.kind == "cap" and (
            (
                prev is not None
                and prev.kind in _NAME_KINDS
                and _gap_ok(text, prev, tok)
                and (prev.kind == "title" or not _is_stop(prev))
            )
            or (
                nxt is not None
                and nxt.kind in _NAME_KINDS
                and _gap_ok(text, tok, nxt)
                and not _is_stop(nxt)
            )
        ):
            continue
        if _is_stop(tok) or _is_org(tok):
            continue
        if prev is not None and (
            prev.key in _PLACE_PREFIXES or prev.key in _STREET_BEFORE or _is_org(prev)
        ):
            continue
        given = _is_given(tok.word, tok.key)
        kin, verb = _cue(text, toks, i)
        if tok.kind == "cap" and not verb:
            # "Soumaïla, né en 1979", "Сулейман, 1979 г.р.": a person's birth date follows.
            verb = bool(_BIRTH_AFTER_NAME.match(text, tok.end))
            # "Камала забрали": Russian puts the person before the verb.
            verb = verb or (
                nxt is not None
                and _is_cyrillic(tok.word[0])
                and tok.word[-1] in "аяую"
                and nxt.key in _VERB_CUES
                and _gap_ok(text, tok, nxt)
            )
        if tok.kind == "low":
            ok = given and (kin or verb)
        elif given and tok.key not in _GIVEN_PLACES:
            ok = True
        elif given:
            ok = kin or verb
        else:
            ok = (kin or verb) and (
                (tok.key,) not in _ALL_PLACES and tok.word.casefold() not in _BABEL_WORDS
            )
        if ok:
            yield tok.start, tok.end, "name"


_NAME_KINDS = frozenset({"cap", "upper", "initial", "title"})
_BIRTH_AFTER_NAME = re.compile(
    r"(?i),\s*(?:born|b\.|n[ée]e?|nacid[oa]|naci[óo]|родил(?:ся|ась)|aged|âgée?|de\s+\d{1,2}\s+años"
    r"|\d{1,2}\s+(?:ans|years|лет|года?)|(?:\d{1,2}[./]\d{1,2}[./])?\d{4}\s*[гд]\.\s?р)"
)
# Arabic: kinship and role words, and verbs of contact, before a given name alone.
_AR_KIN_CUES = frozenset(
    _ar_key(w)
    for w in _words(
        """أخي أختي ابني ابنتي زوجي زوجتي صديقي صديقتي زميلي زميلتي عمي خالي عمتي خالتي
        أخوه أخته زوجها زوجته ابنها ابنته ابنه ابنتها جاري جارتي أخونا أختنا ابننا ابنتنا
        والدي والدتي المدعو المدعوة جدتي جدي"""
    )
)
_AR_VERB_CUES = frozenset(
    _ar_key(w)
    for w in _words(
        """تواصل تواصلوا تواصلي اتصل اتصلوا اتصلي رأيت رأينا شاهدت قابلت قابلنا التقيت
        التقينا زرت زرنا اعتقلوا اعتقلت اعتقل خطفوا اختطفوا اسأل اسألوا كلم كلموا كلمي
        راسل راسلوا سلمت أعط أعطوا أخبر أخبروا أخذوا خطفت ضربوا عذبوا الاتصال
        التواصل الوصول استجوبوا استجوب حققوا أفرجوا أفرج أفرجت الإفراج سراح أطلقوا
        قبضوا قبض قبضت القبض بحثوا
        يبحثون سألوا سألت أبلغوا أبلغ بلغوا هددوا هدد لاحقوا قولوا قل
        قولي"""
    )
)
# Given names that are also common words ("كريم" generous, "نور" light, "لعلي" perhaps
# I): never read through a prefix, and alone only in context.
_AR_AMBIGUOUS = frozenset(
    _ar_key(w)
    for w in _words(
        """كريم سعيد جميل أمين نور هدى أمل سلام منى فرح عادل صالح حسن طاهر سالم رشيد ناصر
        منصور فارس حامد حميد شريف مختار نبيل هادي وسام ضياء بشير صابر سامي راشد زكي عزيز
        كمال جمال علاء عماد إيمان سعاد نجاح ماجد فاضل محسن مسعود حبيب بهاء ربيع شاكر صادق
        فريد منير نعيم وفاء صفاء علي عمر أحمد أنس حلا هيا"""
    )
)


# Words before a prophet's or a saint's name, which is then not a person to protect.
_AR_RELIGIOUS = frozenset(
    _ar_key(w) for w in _words("النبي الرسول سيدنا نبي رسول الإمام الامام سورة قصة")
)


def _arabic_lone_names(text: str, toks: list[_Tok]) -> Iterator[Span]:
    ar = [t for t in toks if t.kind == "ar"]
    for i, tok in enumerate(ar):
        key = _ar_key(tok.word)
        offset = 0
        base = key
        if key not in _AR_GIVEN_SET and key[:1] in {"ب", "ل"} and key[1:] in _AR_GIVEN_SET:
            base, offset = key[1:], 1
        if base not in _AR_GIVEN_SET:
            continue
        prev = _ar_key(ar[i - 1].word) if i and text[ar[i - 1].end : tok.start] == " " else ""
        before = _ar_key(ar[i - 2].word) if i >= 2 and prev else ""
        kin = prev in _AR_KIN_CUES
        verb = prev in _AR_VERB_CUES or (
            prev in {"مع", "الى", "على", "عن", "ل"} and before in _AR_VERB_CUES
        )
        plain = base not in _AR_AMBIGUOUS and prev not in _AR_PLACE_NOUNS | _AR_RELIGIOUS
        if offset:
            plain = plain and prev not in _AR_STOP_SET
        if kin or verb or plain:
            yield tok.start + offset, tok.end, "name"


def _arabic_names(text: str, toks: list[_Tok]) -> Iterator[Span]:
    ar = [t for t in toks if t.kind == "ar"]
    if not ar:
        return

    def adjacent(a: _Tok, b: _Tok) -> bool:
        gap = text[a.end : b.start]
        return gap.isspace() and "\n" not in gap

    def strip_conj(key: str) -> str:
        if key in _AR_GIVEN_SET:
            return key
        if key[:1] in {"و", "ف", "ب", "ل", "ك"} and key[1:] in _AR_GIVEN_SET:
            if key[:1] in {"ل", "ب", "ك"} and key[1:] in _AR_AMBIGUOUS:
                return key  # "لعلي" (perhaps I), "لحسن الحظ" (luckily)
            return key[1:]
        if key[:2] in {"وب", "ول", "فب"} and key[2:] in _AR_GIVEN_SET:
            return key[2:]
        return key

    def given(key: str) -> bool:
        return key in _AR_GIVEN_SET or (key.startswith("عبد") and len(key) > 4)

    def surname_like(key: str) -> bool:
        """A word that can follow a given name as a family name."""
        if key in _AR_STOP_SET or len(key) < 3:
            return False
        if given(key):
            return True
        if key.startswith("ال"):
            return len(key) >= 5
        # Verbs and plurals ("يعمل", "اعتقلوا", "معتقلون") rarely are family names.
        if key[0] in "يتنلو" or _AR_VERB_START.match(key):
            return False
        return not key.endswith(("وا", "ون", "ين", "ات"))

    keys = [_ar_key(t.word) for t in ar]
    n = len(ar)
    i = 0
    while i < n:
        k = strip_conj(keys[i])
        start_i = i
        j = i  # index of the last word of the name so far
        ok = False
        offset = len(keys[i]) - len(k)  # a conjunction or preposition written onto the word
        if k[:1] in {"و", "ف"} and k[1:] in _AR_TITLE_SET:
            k, offset = k[1:], 1
        if k in _AR_NAME_CUES and i + 1 < n and adjacent(ar[i], ar[i + 1]):
            nk = keys[i + 1]
            if given(nk) or surname_like(nk):
                start_i, j, ok, offset = i + 1, i + 1, True, 0
                if i + 2 < n and adjacent(ar[i + 1], ar[i + 2]) and surname_like(keys[i + 2]):
                    j = i + 2
        elif k in _AR_TITLE_SET and i + 1 < n and adjacent(ar[i], ar[i + 1]):
            nk = keys[i + 1]
            plain = (given(nk) or surname_like(nk)) and not nk.startswith("ال")
            if k in _AR_JUDGE and not given(nk):
                plain = False  # "رفض القاضي طلب الدفاع": the judge refused the request
            family = k in _AR_FORMAL_TITLES and nk.startswith("ال") and surname_like(nk)
            if plain or family:
                j, ok = i + 1, True
            elif nk == "عبد" and i + 2 < n:
                j, ok = i + 2, True
        elif (k == "عبد" and i + 1 < n and adjacent(ar[i], ar[i + 1])) or (
            k in _AR_KUNYA and i + 1 < n and adjacent(ar[i], ar[i + 1]) and given(keys[i + 1])
        ):
            j, ok = i + 1, True
        elif (given(k) or given(strip_conj(k))) and i + 1 < n and adjacent(ar[i], ar[i + 1]):
            nk = keys[i + 1]
            if (nk == "عبد" and i + 2 < n) or (
                nk in _AR_NAME_PARTICLES and i + 2 < n and surname_like(keys[i + 2])
            ):
                j, ok = i + 2, True
            elif surname_like(nk):
                j, ok = i + 1, True
        elif (
            i + 2 < n
            and keys[i + 1] in _AR_NAME_PARTICLES
            and not k.startswith("ال")
            and k not in _AR_STOP_SET
            and surname_like(keys[i + 2])
            and adjacent(ar[i], ar[i + 1])
        ):
            j, ok = i + 2, True
        if ok and start_i > 0 and keys[start_i - 1] in _AR_PLACE_NOUNS:
            ok = False  # "شارع محمد الخامس", "جامعة محمد الخامس": a place named after someone
        if not ok:
            i += 1
            continue
        # Extend with more name words: "فاطمة الزهراء بن علي".
        while j + 1 < n and j - start_i < 5 and adjacent(ar[j], ar[j + 1]):
            nk = keys[j + 1]
            if (nk in _AR_NAME_PARTICLES and j + 2 < n and surname_like(keys[j + 2])) or (
                nk == "عبد" and j + 2 < n
            ):
                j += 2
            elif given(nk) or (nk.startswith("ال") and surname_like(nk) and keys[j] != "عبد"):
                j += 1
            else:
                break
        yield ar[start_i].start + offset, ar[j].end, "name"
        i = j + 1


def _names(text: str) -> Iterator[Span]:
    toks = _tokens(text)
    yield from _latin_cyrillic_names(text, toks)
    yield from _lone_names(text, toks)
    yield from _arabic_names(text, toks)
    yield from _arabic_lone_names(text, toks)


# --------------------------------------------------------------------------------------


def _resolve(spans: Iterable[Span]) -> list[Span]:
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (_PRIORITY[s[2]], s[0], -s[1])):
        start, end, _ = span
        if end <= start:
            continue
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append(span)
    return sorted(chosen)


def detect(text: str) -> list[Finding]:
    """Personal data in `text`: kinds and spans, sorted by start, never overlapping."""
    if not text or not text.strip():
        return []
    folded, index = _prepare(text)
    spans: list[Span] = []
    spans.extend(_emails(folded))
    spans.extend(_id_numbers(folded))
    spans.extend(_birth_dates(folded))
    spans.extend(_phones(folded))
    spans.extend(_addresses(folded))
    spans.extend(_names(folded))
    spans.extend(_chinese(folded))
    out: list[Finding] = []
    for start, end, kind in _resolve(spans):
        if index is not None:
            start, end = index[start], index[end - 1] + 1
        out.append(Finding(kind, start, end))
    return out


def kinds(text: str) -> set[Kind]:
    """The kinds of personal data found in `text`."""
    return {f.kind for f in detect(text)}
