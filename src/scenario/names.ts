import type { Rng } from './rng.js';

/**
 * Invented names: common given names and surnames of several origins, combined at random, so no
 * generated person is a real one. Each entry lists its Latin spellings (the first is the canonical
 * form used in the ground truth) and, where relevant, its Arabic or Cyrillic form. The variant
 * spellings follow the usual transliteration drift between French-, German-, Dutch- and
 * Spanish-speaking registries (Mohamed/Mohammed/Muhammad, Abdelhamid/Abd al-Hamid, el/al- particles).
 */
export type Origin = 'arabic' | 'turkish' | 'bosniak' | 'albanian' | 'serbian' | 'caucasus' | 'french' | 'flemish' | 'spanish' | 'german' | 'dutch';
export type Script = 'latin' | 'arabic' | 'cyrillic';

export interface NameEntry {
  readonly latin: readonly string[];
  readonly script?: string;
}

interface NameTable {
  readonly scriptKind: Script;
  readonly male: readonly NameEntry[];
  readonly female: readonly NameEntry[];
  readonly surnames: readonly NameEntry[];
}

const e = (latin: string, script?: string): NameEntry => (script === undefined ? { latin: latin.split('|') } : { latin: latin.split('|'), script });

export const NAME_TABLES: Readonly<Record<Origin, NameTable>> = {
  arabic: {
    scriptKind: 'arabic',
    male: [
      e('Mohamed|Mohammed|Muhammad|Mohammad|Mohamad|Muhammed', 'محمد'),
      e('Ahmed|Ahmad|Ahmet', 'أحمد'),
      e('Youssef|Yusuf|Youssouf|Yousef|Jussuf', 'يوسف'),
      e('Abdelhamid|Abd al-Hamid|Abdul Hamid|Abdulhamid|Abdel Hamid', 'عبد الحميد'),
      e('Abdelkarim|Abd al-Karim|Abdul Karim|Abdelkrim', 'عبد الكريم'),
      e('Abderrahmane|Abd al-Rahman|Abdurrahman|Abdel Rahman|Abderrahman', 'عبد الرحمن'),
      e('Abdelaziz|Abd al-Aziz|Abdulaziz|Abdel Aziz', 'عبد العزيز'),
      e('Khalid|Khaled|Halid', 'خالد'),
      e('Hamza|Hamzah', 'حمزة'),
      e('Omar|Umar|Omer', 'عمر'),
      e('Ibrahim|Brahim|Ebrahim', 'إبراهيم'),
      e('Mustafa|Mustapha|Moustafa|Mostafa', 'مصطفى'),
      e('Karim|Kareem|Karem', 'كريم'),
      e('Bilal|Bilel', 'بلال'),
      e('Samir|Sameer|Semir', 'سمير'),
      e('Rachid|Rashid|Rasheed|Rachide', 'رشيد'),
      e('Hassan|Hasan|Hassane', 'حسن'),
      e('Hussein|Hussain|Husein|Hocine', 'حسين'),
      e('Yassine|Yasin|Yacine|Yassin', 'ياسين'),
      e('Tarek|Tariq|Tarik', 'طارق'),
      e('Walid|Waleed|Oualid', 'وليد'),
      e('Mehdi|Mahdi', 'مهدي'),
      e('Soufiane|Sufyan|Sofiane|Sufian', 'سفيان'),
      e('Ayoub|Ayub|Eyup', 'أيوب'),
      e('Ismail|Ismael|Smail|Ismaïl', 'إسماعيل'),
      e('Nabil|Nabeel', 'نبيل'),
      e('Anas|Anass', 'أنس'),
      e('Zakaria|Zakariya|Zakariyya|Zacharia', 'زكريا'),
    ],
    female: [
      e('Fatima|Fatma|Fatimah|Fadma', 'فاطمة'),
      e('Amina|Aminah|Emine', 'أمينة'),
      e('Khadija|Khadidja|Khadeeja|Hadija', 'خديجة'),
      e('Nadia|Nadiya', 'نادية'),
      e('Samira|Sameera', 'سميرة'),
      e('Leila|Layla|Leyla|Laila', 'ليلى'),
      e('Yasmina|Yasmin|Jasmina', 'ياسمينة'),
      e('Meryem|Maryam|Mariam|Meriem', 'مريم'),
      e('Aicha|Aisha|Aïcha|Aysha', 'عائشة'),
      e('Salma|Selma', 'سلمى'),
      e('Zineb|Zaynab|Zainab|Zeineb', 'زينب'),
      e('Hanane|Hanan', 'حنان'),
    ],
    surnames: [
      e('Bensaid|Ben Said|Ben Saeed|Bin Saeed|Bensaïd', 'بن سعيد'),
      e('El Amrani|Al-Amrani|Elamrani|Amrani|el-Amrani', 'العمراني'),
      e('Benali|Ben Ali|Bin Ali|Ben-Ali', 'بن علي'),
      e('El Idrissi|Al-Idrisi|Idrissi|Elidrissi|El Idrisi', 'الإدريسي'),
      e('Haddad|Hadad|Al-Haddad|El Haddad', 'الحداد'),
      e('Mansouri|El Mansouri|Al-Mansuri|Mansuri', 'المنصوري'),
      e('Bouzid|Bou Zid|Bouzide', 'بوزيد'),
      e('Cherif|Sharif|Chérif|Al-Sharif|Chrif', 'الشريف'),
      e('Belkacem|Belgacem|Bel Kacem|Belkasem', 'بلقاسم'),
      e('Abdallah|Abdullah|Abdellah|Abd Allah', 'عبد الله'),
      e('Khalil|Khaleel|Halil', 'خليل'),
      e('Saleh|Salih|Salah', 'صالح'),
      e('Nasser|Nasir|Naser|Nacer', 'ناصر'),
      e('Yousfi|Youssfi|Yusfi|Youcefi', 'يوسفي'),
      e('Hamdi|Hamdy|Hamdí', 'حمدي'),
      e('Benmoussa|Ben Moussa|Bin Musa|Benmousa', 'بن موسى'),
      e('Tahiri|Al-Tahiri|Tahiry|Et-Tahiri', 'الطاهري'),
      e('El Bakkali|Bakkali|Al-Baqali|Elbakkali', 'البقالي'),
      e('El Fassi|Al-Fasi|Elfassi|Fassi', 'الفاسي'),
      e('Chaoui|Chaoul|Shawi', 'الشاوي'),
      e('Boukhari|Bukhari|El Boukhari|Al-Bukhari', 'البخاري'),
      e('Benkirane|Ben Kiran|Benkiran', 'بنكيران'),
      e('Ziani|Zayani|Ziane', 'الزياني'),
      e('Ouali|Wali|El Ouali', 'الوالي'),
    ],
  },
  turkish: {
    scriptKind: 'latin',
    male: [e('Mehmet|Mehmed|Muhammet'), e('Ali'), e('Emre'), e('Murat|Murad'), e('Burak'), e('Hakan'), e('Serkan'), e('Kemal|Kamal'), e('Osman|Usman'), e('Yusuf|Jusuf'), e('Mustafa|Moustafa'), e('Hüseyin|Huseyin|Hueseyin')],
    female: [e('Ayşe|Ayse|Aysche'), e('Elif'), e('Zeynep|Zeinep'), e('Hatice|Hatidsche'), e('Emine'), e('Merve')],
    surnames: [
      e('Yılmaz|Yilmaz|Jilmaz'),
      e('Kaya'),
      e('Demir'),
      e('Şahin|Sahin|Schahin'),
      e('Çelik|Celik|Tschelik'),
      e('Yıldız|Yildiz|Jildiz'),
      e('Aydın|Aydin|Aidin'),
      e('Öztürk|Ozturk|Oeztuerk'),
      e('Arslan|Aslan'),
      e('Doğan|Dogan|Doan'),
      e('Kılıç|Kilic|Kilitsch'),
      e('Koç|Koc|Kotsch'),
    ],
  },
  bosniak: {
    scriptKind: 'latin',
    male: [e('Amir'), e('Edin'), e('Senad'), e('Dževad|Dzevad|Djevad|Dschewad'), e('Nermin'), e('Adnan'), e('Mirza'), e('Haris'), e('Jasmin'), e('Emir')],
    female: [e('Amra'), e('Emina'), e('Lejla|Leila'), e('Selma'), e('Azra')],
    surnames: [
      e('Hodžić|Hodzic|Hodžic|Hodschitsch'),
      e('Begić|Begic|Begitsch'),
      e('Mehmedović|Mehmedovic|Mehmedowitsch'),
      e('Delić|Delic|Delitsch'),
      e('Hasanović|Hasanovic|Hassanovic'),
      e('Omerović|Omerovic|Omerowitsch'),
      e('Salihović|Salihovic|Salihowitsch'),
      e('Alić|Alic|Alitsch'),
    ],
  },
  albanian: {
    scriptKind: 'latin',
    male: [e('Arben'), e('Besnik'), e('Driton'), e('Ilir'), e('Luan'), e('Fatmir'), e('Agron'), e('Valon')],
    female: [e('Arta'), e('Drita'), e('Blerta'), e('Vjosa|Viosa')],
    surnames: [e('Krasniqi|Krasnici|Krasniči'), e('Berisha|Berishaj|Berischa'), e('Gashi|Gashaj'), e('Hoxha|Hodza|Hodscha'), e('Shala|Schala'), e('Morina'), e('Bytyqi|Bytyci|Bytiqi'), e('Kelmendi')],
  },
  serbian: {
    scriptKind: 'cyrillic',
    male: [e('Dragan', 'Драган'), e('Milan', 'Милан'), e('Nikola', 'Никола'), e('Stefan', 'Стефан'), e('Goran', 'Горан'), e('Zoran', 'Зоран'), e('Marko', 'Марко'), e('Dejan', 'Дејан')],
    female: [e('Jelena', 'Јелена'), e('Milica', 'Милица'), e('Ivana', 'Ивана'), e('Marija', 'Марија')],
    surnames: [
      e('Petrović|Petrovic|Petrowitsch', 'Петровић'),
      e('Jovanović|Jovanovic|Jovanowitsch', 'Јовановић'),
      e('Nikolić|Nikolic|Nikolitsch', 'Николић'),
      e('Marković|Markovic|Markowitsch', 'Марковић'),
      e('Đorđević|Djordjevic|Dordevic|Djordjević', 'Ђорђевић'),
      e('Stojanović|Stojanovic|Stojanowitsch', 'Стојановић'),
      e('Ilić|Ilic|Ilitsch', 'Илић'),
    ],
  },
  caucasus: {
    scriptKind: 'cyrillic',
    male: [e('Magomed|Magomet|Mahomed', 'Магомед'), e('Islam', 'Ислам'), e('Aslan', 'Аслан'), e('Rustam|Rustem', 'Рустам'), e('Timur', 'Тимур'), e('Said|Saïd|Seid', 'Саид'), e('Adam', 'Адам'), e('Ruslan', 'Руслан')],
    female: [e('Madina|Medina', 'Мадина'), e('Zarema', 'Зарема'), e('Khava|Hava|Chawa', 'Хава'), e('Luiza|Louiza', 'Луиза')],
    surnames: [
      e('Aliev|Aliyev|Aliew|Aliyeu', 'Алиев'),
      e('Magomedov|Magomedow|Magomedoff', 'Магомедов'),
      e('Ibragimov|Ibragimow|Ibraguimov', 'Ибрагимов'),
      e('Khasanov|Hasanov|Chassanow|Khassanov', 'Хасанов'),
      e('Saidov|Saidow|Saïdov', 'Саидов'),
      e('Musaev|Musayev|Mussajew|Moussaev', 'Мусаев'),
      e('Yusupov|Jussupow|Youssoupov|Yusupow', 'Юсупов'),
    ],
  },
  french: {
    scriptKind: 'latin',
    male: [e('Thomas'), e('Nicolas'), e('Julien'), e('Lucas'), e('Kévin|Kevin'), e('Maxime'), e('Antoine'), e('Romain'), e('Jérémy|Jeremy'), e('Sébastien|Sebastien')],
    female: [e('Marie'), e('Julie'), e('Laura'), e('Camille'), e('Élodie|Elodie'), e('Sarah|Sara')],
    surnames: [e('Martin'), e('Bernard'), e('Dubois'), e('Lefèbvre|Lefebvre|Lefevre'), e('Moreau'), e('Laurent'), e('Girard'), e('Rousseau'), e('Fontaine'), e('Chevalier')],
  },
  flemish: {
    scriptKind: 'latin',
    male: [e('Jan'), e('Pieter|Peter'), e('Wouter'), e('Tom'), e('Bart'), e('Kevin')],
    female: [e('Lies'), e('Sofie|Sophie'), e('Els'), e('An|Ann')],
    surnames: [e('Peeters|Peters'), e('Janssens|Jansens'), e('Maes'), e('Jacobs'), e('Mertens'), e('Willems'), e('Claes|Claeys'), e('Goossens|Goosens'), e('Wouters')],
  },
  spanish: {
    scriptKind: 'latin',
    male: [e('Javier|Xavier'), e('Carlos'), e('Pablo'), e('Alejandro'), e('Daniel'), e('Sergio'), e('Adrián|Adrian')],
    female: [e('Carmen'), e('Lucía|Lucia'), e('Laura'), e('Marta'), e('Elena')],
    surnames: [e('García|Garcia'), e('Martínez|Martinez'), e('López|Lopez'), e('Sánchez|Sanchez'), e('Fernández|Fernandez'), e('Ruiz'), e('Moreno'), e('Jiménez|Jimenez|Gimenez')],
  },
  german: {
    scriptKind: 'latin',
    male: [e('Lukas|Lucas'), e('Maximilian'), e('Felix'), e('Jonas'), e('Tobias'), e('Stefan|Stephan'), e('Florian')],
    female: [e('Anna'), e('Lena'), e('Katharina|Katarina'), e('Julia'), e('Sabine')],
    surnames: [e('Müller|Mueller|Muller'), e('Schmidt|Schmitt'), e('Schneider'), e('Fischer'), e('Weber'), e('Wagner'), e('Gruber'), e('Huber'), e('Becker|Bäcker'), e('Hoffmann|Hofmann')],
  },
  dutch: {
    scriptKind: 'latin',
    male: [e('Daan'), e('Sem'), e('Thijs|Tijs'), e('Ruben'), e('Bram'), e('Joost')],
    female: [e('Emma'), e('Sanne'), e('Lotte'), e('Fleur')],
    surnames: [e('de Jong|De Jong|Dejong'), e('Jansen|Janssen'), e('de Vries|De Vries'), e('van Dijk|Van Dijk|van Dyk'), e('Bakker'), e('Visser'), e('Smit|Smits'), e('Meijer|Meyer')],
  },
};

/** The true name of a person: keys into the tables above. */
export interface TrueName {
  readonly origin: Origin;
  readonly gender: 'male' | 'female';
  readonly given: number;
  readonly surname: number;
  /** A second given name (Arabic-origin men often carry a compound like "Mohamed Amine"). */
  readonly given2?: number;
}

export function givenEntry(n: TrueName, second = false): NameEntry {
  const t = NAME_TABLES[n.origin];
  const list = n.gender === 'male' ? t.male : t.female;
  return list[second ? (n.given2 ?? 0) : n.given]!;
}

export function surnameEntry(n: TrueName): NameEntry {
  return NAME_TABLES[n.origin].surnames[n.surname]!;
}

/** The canonical (truth) spelling: given [given2] surname. */
export function canonicalName(n: TrueName): { first: string; last: string; full: string } {
  const first = [givenEntry(n).latin[0]!, ...(n.given2 === undefined ? [] : [givenEntry(n, true).latin[0]!])].join(' ');
  const last = surnameEntry(n).latin[0]!;
  return { first, last, full: `${first} ${last}` };
}

/** Draws a random true name of an origin. */
export function drawName(rng: Rng, origin: Origin, gender: 'male' | 'female'): TrueName {
  const t = NAME_TABLES[origin];
  const list = gender === 'male' ? t.male : t.female;
  const given = rng.int(0, list.length - 1);
  const surname = rng.int(0, t.surnames.length - 1);
  if (origin === 'arabic' && gender === 'male' && rng.chance(0.08)) {
    let given2 = rng.int(0, list.length - 1);
    if (given2 === given) given2 = (given2 + 1) % list.length;
    return { origin, gender, given, surname, given2 };
  }
  return { origin, gender, given, surname };
}

/** A kunya-style alias ("Abu Hamza") built from the Arabic given-name list. */
export function drawAlias(rng: Rng): string {
  return `Abu ${rng.pick(NAME_TABLES.arabic.male).latin[0]!}`;
}

/** One spelling of a name entry: the agency's habitual variant most of the time, else any. */
function spell(rng: Rng, entry: NameEntry, house: number): string {
  const v = entry.latin;
  const r = rng.float();
  if (r < 0.55) return v[house % v.length]!;
  if (r < 0.8) return v[0]!;
  return rng.pick(v);
}

/**
 * Introduces one keying error of the kinds record-linkage studies report most (Christen 2012, ch. 3):
 * adjacent transposition, dropped letter, doubled letter, vowel substitution.
 */
export function typo(rng: Rng, s: string): string {
  const letters = [...s];
  const positions = letters.map((c, i) => (/\p{L}/u.test(c) ? i : -1)).filter((i) => i > 0);
  if (positions.length < 3) return s;
  const i = rng.pick(positions);
  const op = rng.int(0, 3);
  if (op === 0 && i + 1 < letters.length && /\p{L}/u.test(letters[i + 1]!)) {
    [letters[i], letters[i + 1]] = [letters[i + 1]!, letters[i]!];
  } else if (op === 1) {
    letters.splice(i, 1);
  } else if (op === 2) {
    letters.splice(i, 0, letters[i]!);
  } else {
    const vowels = 'aeiou';
    const c = letters[i]!;
    if (vowels.includes(c)) letters[i] = vowels[(vowels.indexOf(c) + rng.int(1, 4)) % 5]!;
    else letters.splice(i, 1);
  }
  return letters.join('');
}

export interface RenderedName {
  /** The full name as the record holds it. */
  readonly full: string;
  readonly first?: string;
  readonly last?: string;
  readonly script: Script;
  /** True when a keying error was introduced. */
  readonly typo: boolean;
  readonly order: 'given-first' | 'surname-first' | 'surname-comma';
}

export interface RenderOptions {
  /** The agency's habitual transliteration (a stable index per agency). */
  readonly house: number;
  /** Probability of writing the name in its original script (Arabic, Cyrillic). */
  readonly nativeScript: number;
  /** Probability of a keying error. */
  readonly typo: number;
  /** Probability of the police-style surname-first order. */
  readonly surnameFirst: number;
}

/** Renders a true name as one agency would record it. */
export function renderName(rng: Rng, n: TrueName, opts: RenderOptions): RenderedName {
  const g = givenEntry(n);
  const s = surnameEntry(n);
  const g2 = n.given2 === undefined ? undefined : givenEntry(n, true);
  const kind = NAME_TABLES[n.origin].scriptKind;
  if (kind !== 'latin' && g.script && s.script && rng.chance(opts.nativeScript)) {
    const first = [g.script, ...(g2?.script ? [g2.script] : [])].join(' ');
    return { full: `${first} ${s.script}`, first, last: s.script, script: kind, typo: false, order: 'given-first' };
  }
  let first = spell(rng, g, opts.house);
  if (g2 && rng.chance(0.7)) first = `${first} ${spell(rng, g2, opts.house)}`;
  let last = spell(rng, s, opts.house + 1);
  let hadTypo = false;
  if (rng.chance(opts.typo)) {
    hadTypo = true;
    if (rng.chance(0.5)) last = typo(rng, last);
    else first = typo(rng, first);
  }
  const r = rng.float();
  if (r < opts.surnameFirst * 0.6) return { full: `${last.toUpperCase()} ${first}`, first, last, script: 'latin', typo: hadTypo, order: 'surname-first' };
  if (r < opts.surnameFirst) return { full: `${last}, ${first}`, first, last, script: 'latin', typo: hadTypo, order: 'surname-comma' };
  return { full: `${first} ${last}`, first, last, script: 'latin', typo: hadTypo, order: 'given-first' };
}

/** ASCII fold used in e-mail local parts (é → e, ş → s, ı → i). */
export function asciiFold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ı/g, 'i')
    .replace(/đ/g, 'dj')
    .replace(/Đ/g, 'Dj')
    .replace(/ß/g, 'ss')
    .replace(/[^A-Za-z0-9]/g, '');
}
