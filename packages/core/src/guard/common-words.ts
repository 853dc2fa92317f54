/**
 * Frequent English words that are not names even when capitalized (at a sentence start, in Title
 * Case, or by habit). A capitalized word outside this list is read as a name by the entities rule;
 * a word inside it is never an anchor of the order rule.
 */
const WORDS = `
a about above according across actually after again against ago all almost alone along already also
although always am among an and another any anybody anyone anything anyway anywhere apart are aren't
around as ask asked asking at away back bad badly basically be became because become becomes becoming
been before being below besides best better between beyond big both bring but buy by can can't cannot
certain certainly choose come comes common compare considering could couldn't create currently dear
define describe despite did didn't different difficult do does doesn't doing don't done down during
each easiest easy either else enough especially even ever every everybody everyone everything example
except explain fast feel few find first following for found free from full further generally get gets
getting give given go goes going good got great had hadn't happen happens has hasn't have haven't
having he he'd he'll he's hello help her here here's hers herself hey hi him himself his honestly how
how's however i i'd i'll i'm i've if imagine important in instead into is isn't it it's its itself
just keep kind know known large last later least less let let's like likely list little look lot lots
made main make makes making many may maybe me mean meaning might mine more most mostly much must mustn't
my myself name near need needed new next nice no nobody none nor not nothing now of off often oh ok
okay old on once one only onto or other others otherwise ought our ours ourselves out over own part
people per perhaps please possible pretty probably quick quickly quite rather real really recently
recommend regarding right same say says see seem seems several shall she she'd she'll she's should
shouldn't show similar simple simply since small so some somebody someone something sometimes somewhere
soon still such suggest suppose supposed sure take tell than thank thanks that that's the their theirs
them themselves then there there's therefore these they they'd they'll they're they've thing things
think this those though through thus till to today together too top tried true try trying two under
unless until up upon us use used using usually various very vs want wanted wants was wasn't way ways
we we'd we'll we're we've well were weren't what what's whatever when whenever where where's whereas
wherever whether which while who who's whoever whole whom whose why why's will with within without
won't would wouldn't write wrong yes yet you you'd you'll you're you've your yours yourself yourselves
mr mrs ms dr prof sir madam jr sr
furthermore moreover additionally afterwards finally lastly meanwhile consequently hence indeed overall
alternatively similarly likewise nevertheless nonetheless firstly secondly
`;

export const COMMON_WORDS: ReadonlySet<string> = new Set(WORDS.split(/\s+/).filter(Boolean));
