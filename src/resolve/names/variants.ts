/**
 * Variant spellings of given names, Arabic particles and common nicknames.
 *
 * Each group lists spellings (already lower-case ASCII, as produced by `latinise`) of one name; the first
 * entry is the canonical key. Groups are curated from common transliteration practice (ALA-LC, French
 * and English press spellings, Maghreb civil-status spellings) rather than from any evaluation set.
 * Tokens in the same group compare as equal (score 1 at the token level).
 */
const GIVEN_NAME_GROUPS: readonly (readonly string[])[] = [
  // Arabic / Islamic given names, with French, English, Turkish, Persian, Urdu, Indonesian spellings.
  ['muhammad', 'mohamed', 'mohammed', 'mohammad', 'muhammed', 'mohamad', 'mohamud', 'muhamad', 'mouhamed', 'mouhammad', 'mohammet', 'mehmet', 'mehmed', 'mahomed', 'mohd', 'muhd', 'mhd'],
  ['ahmad', 'ahmed', 'ahmet', 'achmed', 'ahmadou', 'ahmadu', 'amadou'],
  ['mahmud', 'mahmoud', 'mahmood', 'mahmut', 'mehmood'],
  ['mustafa', 'mustapha', 'moustafa', 'mostafa', 'moustapha', 'mustefa'],
  ['yusuf', 'youssef', 'yousef', 'youssouf', 'yousif', 'yussuf', 'yusef', 'yosef', 'youcef', 'yousuf', 'joseph', 'josef', 'jozef', 'giuseppe', 'jose', 'iosif', 'osip', 'yossef', 'josip'],
  ['ibrahim', 'ebrahim', 'brahim', 'ibraheem', 'ibrahima', 'abraham', 'avraham', 'ebrahem'],
  ['ismail', 'ismael', 'esmail', 'ismaail', 'smail', 'ishmael', 'ismayil'],
  ['hasan', 'hassan', 'hasen', 'hassen', 'hacen'],
  ['husayn', 'hussein', 'husain', 'hussain', 'hossein', 'houssein', 'hussien', 'husein', 'huseyin', 'hocine', 'houcine', 'husseyn'],
  ['ali', 'aly'],
  ['umar', 'omar', 'omer', 'ömer', 'umer', 'oumar', 'omor'],
  ['uthman', 'othman', 'osman', 'usman', 'othmane', 'outhman', 'ousmane', 'usmon'],
  ['khalid', 'khaled', 'khalit', 'halid', 'haled', 'chalid'],
  ['said', 'saeed', 'saeid', 'sayed', 'sayid', 'saied', 'saiid', 'seyit', 'seyid', 'sayyid', 'syed', 'saiyid'],
  ['rashid', 'rachid', 'rasheed', 'rashed', 'reshid', 'rachede'],
  ['karim', 'kareem', 'karem', 'kerim', 'kirim'],
  ['abdullah', 'abdallah', 'abdulla', 'abdallahi', 'abdillah', 'abdoullah', 'abdollah', 'abdellah', 'abdalla'],
  ['hamid', 'hameed', 'hamed', 'hamit'],
  ['jamal', 'djamel', 'jamel', 'gamal', 'cemal', 'jamaal', 'djamal'],
  ['nasir', 'nasser', 'naser', 'nacer', 'nassir', 'nasir', 'nacir'],
  ['fatima', 'fatma', 'fatimah', 'fatemeh', 'fatoumata', 'fatouma', 'fadma', 'fatuma', 'fatime'],
  ['aisha', 'aicha', 'aysha', 'ayesha', 'aishah', 'ayse', 'aichatou', 'aixa', 'aischa'],
  ['khadija', 'khadidja', 'khadijah', 'hatice', 'kadija', 'khadeeja', 'hadiza'],
  ['maryam', 'mariam', 'meryem', 'meriem', 'myriam', 'miriam', 'mariame', 'maria', 'mary', 'marie', 'mariya', 'marija'],
  ['zaynab', 'zainab', 'zeynep', 'zaineb', 'zeinab', 'zineb', 'zenab'],
  ['layla', 'leila', 'laila', 'leyla', 'lejla'],
  ['amina', 'aminah', 'ameena', 'emine', 'aminata', 'amena'],
  ['nur', 'noor', 'nour', 'nura', 'noura'],
  ['salim', 'salem', 'selim', 'saleem'],
  ['salih', 'saleh', 'saleh', 'salah'],
  ['salahuddin', 'salaheddine', 'salahedine', 'salahudin', 'selahattin', 'saladin'],
  ['sulayman', 'suleiman', 'sulaiman', 'soliman', 'suleyman', 'sulejman', 'slimane', 'solomon', 'shlomo', 'souleymane'],
  ['yunus', 'younes', 'younis', 'yunis', 'younous', 'jonas', 'jonah', 'iona', 'yunes'],
  ['musa', 'moussa', 'mousa', 'mussa', 'moses', 'moshe', 'moise', 'mose', 'moisei'],
  ['isa', 'issa', 'eesa', 'aissa'],
  ['harun', 'haroun', 'haroon', 'aaron', 'aron', 'harone'],
  ['yahya', 'yehia', 'yahia', 'yehya', 'yaya', 'john', 'johannes', 'jean', 'juan', 'giovanni', 'ivan', 'ioannis', 'johan'],
  ['zakariya', 'zakaria', 'zakariyya', 'zakariah', 'zacharias', 'zachary', 'zakariae'],
  ['idris', 'idriss', 'driss', 'edris'],
  ['ilyas', 'elias', 'ilias', 'iliass', 'elyas', 'ilya', 'ilia', 'elijah'],
  ['jibril', 'jebril', 'djibril', 'gabriel', 'jibreel', 'cebrail', 'gavriil', 'gavriel'],
  ['hamza', 'hamzah', 'hamsa', 'hamzeh'],
  ['bilal', 'belal', 'bellal'],
  ['tariq', 'tarik', 'tarek', 'tareq', 'tareck'],
  ['walid', 'waleed', 'oualid', 'velid'],
  ['faisal', 'faysal', 'fayssal', 'feisal', 'faycal', 'faical'],
  ['farid', 'fareed', 'ferid'],
  ['majid', 'majeed', 'madjid', 'mejid', 'macit', 'magid'],
  ['mansur', 'mansour', 'mansoor', 'mansurov'],
  ['murad', 'mourad', 'morad', 'murat'],
  ['nabil', 'nabeel', 'nebil'],
  ['qasim', 'kassim', 'kasim', 'qassim', 'kacem', 'gasim', 'qassem', 'kasem'],
  ['sami', 'samy', 'samee'],
  ['samir', 'sameer', 'semir', 'samer'],
  ['tahir', 'taher', 'tahar', 'tahhir'],
  ['yasin', 'yassin', 'yassine', 'yaseen', 'yacine', 'jasin', 'yasine'],
  ['zayd', 'zaid', 'zeid', 'zied', 'zayed'],
  ['ziyad', 'ziad', 'ziyed', 'zeyad'],
  ['adil', 'adel', 'aadil', 'adeel'],
  ['amir', 'ameer', 'emir', 'amer'],
  ['anwar', 'anouar', 'anwer', 'enver', 'anvar'],
  ['ayman', 'aymen', 'aiman', 'eymen'],
  ['bashir', 'bachir', 'beshir', 'basheer', 'besir'],
  ['hakim', 'hakeem', 'hekim'],
  ['hashim', 'hachem', 'hashem', 'hachim'],
  ['hisham', 'hicham', 'hesham', 'hicheme'],
  ['imad', 'emad', 'imed'],
  ['jafar', 'jaafar', 'djafar', 'cafer', 'jaffar'],
  ['kamal', 'kamel', 'kemal', 'camal'],
  ['mahdi', 'mehdi', 'mahdy'],
  ['marwan', 'merouane', 'marouane', 'marouan', 'merwan'],
  ['munir', 'mounir', 'moneer', 'munier'],
  ['usama', 'osama', 'oussama', 'ousama', 'usamah'],
  ['rafiq', 'rafik', 'rafeeq', 'refik'],
  ['saad', 'saadi'],
  ['salman', 'selman', 'soulaimane'],
  ['sufyan', 'soufiane', 'sofiane', 'sofian', 'sufian', 'soufian'],
  ['tawfiq', 'tawfik', 'toufik', 'taufik', 'tevfik', 'tofik'],
  ['wail', 'wael', 'ouael'],
  ['yasir', 'yasser', 'yaser', 'yassir', 'jasir'],
  ['zaki', 'zakki', 'zeki', 'zakiy'],
  ['abbas', 'abas', 'abbes'],
  ['hadi', 'hady', 'hedi'],
  ['habib', 'habeeb', 'habiba'],
  ['nadir', 'nader', 'nadeer'],
  ['nizar', 'nazar', 'nezar'],
  ['ridwan', 'redouane', 'radwan', 'rizwan', 'ridouan', 'redwan', 'rezvan'],
  ['abdulrahman', 'abdrahman', 'abdarrahman', 'abderrahmane', 'abdurrahman', 'abdelrahman', 'abderahmane'],
  ['abdulaziz', 'abdaziz', 'abdelaziz', 'abdulazeez'],
  // European names frequent in the same files.
  ['aleksandr', 'alexander', 'aleksander', 'alexandre', 'alessandro', 'alejandro', 'alexandros', 'oleksandr', 'aliaksandr', 'iskander', 'iskandar', 'sandro'],
  ['mikhail', 'michael', 'michel', 'michele', 'miguel', 'mikhael', 'mykhailo', 'michal', 'mikael', 'mihail', 'mikail'],
  ['dmitriy', 'dmitri', 'dmitry', 'dimitri', 'dimitrios', 'dmytro', 'dimitar'],
  ['yuriy', 'yuri', 'iouri', 'jurij', 'yury', 'juri', 'jurgen', 'georgi', 'george', 'georgios', 'giorgos', 'jorge', 'georg', 'giorgio', 'jerzy', 'jiri', 'gheorghe', 'yorgos', 'yiorgos'],
  ['sergey', 'sergei', 'serguei', 'sergej', 'sergiy', 'serhiy', 'sergio', 'serge'],
  ['nikolay', 'nikolai', 'nicolas', 'nicholas', 'nikolaos', 'niccolo', 'nicola', 'mykola', 'nikola'],
  ['pyotr', 'petr', 'peter', 'pierre', 'pietro', 'pedro', 'petros', 'piotr', 'petar', 'petro'],
  ['pavel', 'paul', 'paolo', 'pablo', 'pavlos', 'pawel', 'paulo'],
  ['andrey', 'andrei', 'andrew', 'andre', 'andreas', 'andrea', 'andres', 'andrzej', 'andriy', 'andrija', 'ondrej'],
  ['stefan', 'stephen', 'steven', 'stephane', 'stefano', 'esteban', 'stepan', 'stefanos', 'istvan', 'szczepan'],
  ['vladimir', 'volodymyr', 'wladimir', 'wlodzimierz', 'uladzimir'],
  ['yevgeniy', 'evgeny', 'evgeni', 'yevgeny', 'eugene', 'eugen', 'evgenij', 'jewgeni', 'ievgen'],
  ['anna', 'ana', 'anne', 'ann', 'hanna', 'hannah', 'anya', 'ania', 'annette'],
  ['ekaterina', 'yekaterina', 'katerina', 'catherine', 'katherine', 'kathryn', 'caterina', 'katarzyna', 'katharina', 'catalina', 'katya'],
  ['elena', 'yelena', 'helen', 'helena', 'hélène', 'helene', 'olena', 'eleni', 'ellen'],
  ['tatyana', 'tatiana', 'tatjana', 'tetiana'],
  ['natalya', 'natalia', 'natalie', 'nathalie', 'natalija', 'nataliya'],
  ['olga', 'olha', 'olgha'],
  ['sofia', 'sophia', 'sophie', 'sofya', 'sofiya', 'zofia'],
  ['elizabeth', 'elisabeth', 'elisabetta', 'elzbieta', 'yelizaveta', 'elizaveta', 'isabel', 'isabelle', 'isabella'],
  ['francesco', 'francis', 'francois', 'francisco', 'franz', 'frantisek', 'franciszek', 'frank'],
  ['giacomo', 'james', 'jacques', 'jacob', 'jakob', 'jakub', 'yakov', 'yaakov', 'yakub', 'yaqub', 'iago', 'jaime', 'jacopo'],
  ['guillaume', 'william', 'wilhelm', 'guillermo', 'guglielmo', 'willem', 'vilem'],
  ['henri', 'henry', 'heinrich', 'enrique', 'enrico', 'henrik', 'henryk'],
  ['luc', 'luke', 'luca', 'lucas', 'lukas', 'lukasz', 'luka'],
  ['mattia', 'matthew', 'matthias', 'mathieu', 'matteo', 'mateo', 'mateusz', 'matvey', 'matej', 'matias'],
  ['thomas', 'tomas', 'tommaso', 'tomasz', 'tomislav', 'foma'],
  ['david', 'davide', 'dawid', 'davit', 'daoud', 'dawud', 'davud', 'daud', 'dawood'],
  ['daniel', 'daniele', 'danijel', 'daniil', 'danyal', 'danial'],
  ['samuel', 'samuele', 'shmuel', 'samuil'],
  ['adam', 'adem', 'adama', 'adamo'],
  ['nuh', 'noah', 'nouh', 'noe'],
  ['sara', 'sarah', 'sarra', 'sahra'],
  ['margaret', 'margarita', 'margherita', 'marguerite', 'malgorzata', 'margarete', 'margit'],
];

/** English and international nicknames → formal given names (subset; extendable). */
const NICKNAMES: Readonly<Record<string, string>> = {
  bob: 'robert', rob: 'robert', bobby: 'robert', robbie: 'robert', bert: 'robert',
  bill: 'william', billy: 'william', will: 'william', willy: 'william', liam: 'william',
  jim: 'james', jimmy: 'james', jamie: 'james',
  mike: 'michael', mick: 'michael', mikey: 'michael', misha: 'michael',
  dick: 'richard', rick: 'richard', rich: 'richard', ricky: 'richard',
  tom: 'thomas', tommy: 'thomas',
  tony: 'anthony', ted: 'edward', ed: 'edward', eddie: 'edward', ned: 'edward',
  jack: 'john', johnny: 'john', jon: 'john', vanya: 'john',
  kate: 'catherine', katie: 'catherine', cathy: 'catherine', kathy: 'catherine',
  liz: 'elizabeth', beth: 'elizabeth', betty: 'elizabeth', lisa: 'elizabeth', eliza: 'elizabeth', lizzie: 'elizabeth',
  peggy: 'margaret', maggie: 'margaret', meg: 'margaret', greta: 'margaret',
  sasha: 'aleksandr', sascha: 'aleksandr', alex: 'aleksandr', sandy: 'aleksandr', shura: 'aleksandr',
  dima: 'dmitriy', kolya: 'nikolay', nick: 'nikolay', nicky: 'nikolay', petya: 'pyotr', pete: 'pyotr',
  seryozha: 'sergey', zhenya: 'yevgeniy', yura: 'yuriy', volodya: 'vladimir', vova: 'vladimir',
  katya: 'ekaterina', tanya: 'tatyana', natasha: 'natalya', olya: 'olga', sonya: 'sofia',
  andy: 'andrey', drew: 'andrey', steve: 'stefan', dan: 'daniel', danny: 'daniel', dave: 'david', davy: 'david',
  sam: 'samuel', sammy: 'samuel', matt: 'mattia', pepe: 'yusuf', joe: 'yusuf', joey: 'yusuf', beppe: 'yusuf',
  hamoud: 'muhammad', hamouda: 'muhammad', moha: 'muhammad', mo: 'muhammad', medo: 'muhammad', simo: 'muhammad',
  frankie: 'francesco', paco: 'francesco', pancho: 'francesco', harry: 'henri', hank: 'henri',
  chris: 'christopher', kit: 'christopher', jen: 'jennifer', jenny: 'jennifer', sue: 'susan', susie: 'susan',
  charlie: 'charles', chuck: 'charles', fred: 'frederick', freddie: 'frederick', larry: 'lawrence',
  jeff: 'jeffrey', greg: 'gregory', benny: 'benjamin', tim: 'timothy', abe: 'ibrahim',
};

/**
 * Arabic-name particles as they appear in Latin spellings. Articles (al-, el-, ad-, as-…) carry no
 * identity and are dropped when they precede another token; patronymic markers are unified to `bin`,
 * teknonyms to `abu`, the servant-of prefix to `abd` (joined to the following name: "abd al karim" →
 * "abdkarim"), following ALA-LC romanisation rules for Arabic §§ 17–19.
 */
export const ARTICLES: ReadonlySet<string> = new Set(['al', 'el', 'ul', 'il', 'ol', 'ad', 'ed', 'ar', 'er', 'as', 'es', 'at', 'et', 'an', 'en', 'az', 'ez', 'ash', 'esh', 'ath', 'adh', 'ud', 'us', 'ur', 'un', 'uz', 'ut']);
export const PATRONYMIC: ReadonlyMap<string, string> = new Map([
  ['ibn', 'bin'], ['bin', 'bin'], ['ben', 'bin'], ['bn', 'bin'], ['ibni', 'bin'], ['bint', 'bint'], ['bent', 'bint'], ['binti', 'bint'], ['ould', 'bin'], ['oulad', 'bin'], ['wld', 'bin'], ['uld', 'bin'], ['abn', 'bin'], ['bnt', 'bint'], ['wuld', 'bin'], ['walad', 'bin'],
]);
export const TEKNONYM: ReadonlyMap<string, string> = new Map([
  ['abu', 'abu'], ['abou', 'abu'], ['abo', 'abu'], ['bou', 'abu'], ['bu', 'abu'], ['aboo', 'abu'], ['ebu', 'abu'], ['umm', 'umm'], ['oum', 'umm'], ['um', 'umm'], ['om', 'umm'],
]);
/** Servant-of prefix spellings; joined with the next token. */
export const ABD: ReadonlySet<string> = new Set(['abd', 'abdel', 'abdul', 'abdal', 'abdol', 'abdoul', 'abdu', 'abdi', 'abde', 'abed', 'abdelal', 'abdil']);
/** Particles of European surnames, kept as tokens but given low weight. */
export const LOW_WEIGHT: ReadonlySet<string> = new Set(['bin', 'bint', 'abu', 'umm', 'van', 'von', 'der', 'den', 'de', 'del', 'della', 'di', 'da', 'dos', 'das', 'du', 'la', 'le', 'lo', 'y', 'e', 'mac', 'mc', 'st', 'ter', 'ten', 'zu']);

const canonicalOf = new Map<string, string>();
for (const group of GIVEN_NAME_GROUPS) {
  const head = group[0];
  if (head === undefined) continue;
  for (const v of group) if (!canonicalOf.has(v)) canonicalOf.set(v, head);
}
for (const [nick, formal] of Object.entries(NICKNAMES)) {
  if (!canonicalOf.has(nick)) canonicalOf.set(nick, canonicalOf.get(formal) ?? formal);
}

/** Canonical key of a given-name spelling or nickname (lower-case ASCII), or undefined when not in the tables. */
export function canonicalGivenName(token: string): string | undefined {
  return canonicalOf.get(token);
}

/** Number of curated variant spellings (for docs and tests). */
export function variantTableSize(): number {
  return canonicalOf.size;
}
