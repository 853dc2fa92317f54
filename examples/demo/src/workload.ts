/**
 * A support-desk workload written for this demo. Each intent has one canonical question, paraphrases
 * that mean the same (a cache should answer them), and near misses: questions that look alike but
 * need another answer (other numbers, negations, swapped entities, opposite actions). Every near miss
 * is an intent of its own, so the demo knows which answer is right for every question it asks.
 */
export interface Intent {
  id: string;
  question: string;
  paraphrases: string[];
}

export interface WorkloadItem {
  intent: string;
  question: string;
  kind: "first" | "repeat" | "paraphrase" | "near-miss";
}

/** Intents and their paraphrases. */
export const intents: Intent[] = [
  {
    id: "reset-password",
    question: "How do I reset my password?",
    paraphrases: [
      "How can I reset my password?",
      "I forgot my password, how do I reset it?",
      "What are the steps to reset my password?",
    ],
  },
  {
    id: "change-email",
    question: "How do I change the email address on my account?",
    paraphrases: [
      "How can I update the email address on my account?",
      "Can I change my account email address?",
    ],
  },
  {
    id: "enable-2fa",
    question: "How do I enable two-factor authentication?",
    paraphrases: [
      "How can I turn on two-factor authentication?",
      "Where do I enable two-factor authentication for my account?",
    ],
  },
  {
    id: "disable-2fa",
    question: "How do I disable two-factor authentication?",
    paraphrases: ["How can I turn off two-factor authentication?"],
  },
  {
    id: "cancel-subscription",
    question: "How do I cancel my subscription?",
    paraphrases: ["How can I cancel my subscription?", "What is the way to cancel my subscription?"],
  },
  {
    id: "cant-cancel-subscription",
    question: "Why can't I cancel my subscription?",
    paraphrases: ["Why am I unable to cancel my subscription?"],
  },
  {
    id: "refund-policy",
    question: "What is your refund policy?",
    paraphrases: ["Can you explain your refund policy?", "What's the refund policy?"],
  },
  {
    id: "refund-order-1042",
    question: "Can I get a refund for order 1042?",
    paraphrases: ["Is a refund possible for order 1042?"],
  },
  {
    id: "refund-order-2087",
    question: "Can I get a refund for order 2087?",
    paraphrases: [],
  },
  {
    id: "export-csv",
    question: "How do I export my data to CSV?",
    paraphrases: ["How can I export my data as a CSV file?", "Is there a way to export my data to CSV?"],
  },
  {
    id: "export-pdf",
    question: "How do I export my data to PDF?",
    paraphrases: [],
  },
  {
    id: "migrate-mysql-postgres",
    question: "How do I migrate from MySQL to PostgreSQL?",
    paraphrases: ["What is the best way to migrate from MySQL to PostgreSQL?"],
  },
  {
    id: "migrate-postgres-mysql",
    question: "How do I migrate from PostgreSQL to MySQL?",
    paraphrases: [],
  },
  {
    id: "upgrade-plan",
    question: "How do I upgrade my plan?",
    paraphrases: ["How can I upgrade to a higher plan?", "How do I move my account to a higher plan?"],
  },
  {
    id: "downgrade-plan",
    question: "How do I downgrade my plan?",
    paraphrases: [],
  },
  {
    id: "add-team-member",
    question: "How do I add a team member to my workspace?",
    paraphrases: ["How can I invite a team member to my workspace?", "How do I add someone to my workspace?"],
  },
  {
    id: "remove-team-member",
    question: "How do I remove a team member from my workspace?",
    paraphrases: [],
  },
  {
    id: "api-rate-limit",
    question: "What is the API rate limit?",
    paraphrases: ["What are the rate limits of the API?", "How many API requests am I allowed to make?"],
  },
  {
    id: "storage-limit-free",
    question: "How much storage does the Free plan include?",
    paraphrases: ["What is the storage limit on the Free plan?"],
  },
  {
    id: "storage-limit-pro",
    question: "How much storage does the Pro plan include?",
    paraphrases: ["What is the storage limit on the Pro plan?"],
  },
  {
    id: "upload-limit-5gb",
    question: "Can I upload a file larger than 5 GB?",
    paraphrases: ["Is it possible to upload a file bigger than 5 GB?"],
  },
  {
    id: "upload-limit-50gb",
    question: "Can I upload a file larger than 50 GB?",
    paraphrases: [],
  },
  {
    id: "delete-account",
    question: "How do I delete my account?",
    paraphrases: ["How can I delete my account?", "How do I permanently delete my account?"],
  },
  {
    id: "recover-deleted-account",
    question: "How do I recover a deleted account?",
    paraphrases: [],
  },
  {
    id: "sso-setup",
    question: "How do I set up single sign-on with Okta?",
    paraphrases: ["How can I configure single sign-on with Okta?"],
  },
  {
    id: "sso-setup-azure",
    question: "How do I set up single sign-on with Azure AD?",
    paraphrases: [],
  },
  {
    id: "invoice-download",
    question: "Where can I download my invoices?",
    paraphrases: ["How do I download my invoices?", "Where do I find my invoices to download?"],
  },
  {
    id: "change-billing-currency",
    question: "Can I change my billing currency to euros?",
    paraphrases: ["Is it possible to switch my billing currency to euros?"],
  },
  {
    id: "change-billing-currency-gbp",
    question: "Can I change my billing currency to pounds?",
    paraphrases: [],
  },
  {
    id: "webhook-retries",
    question: "How many times do you retry a failed webhook?",
    paraphrases: ["How often is a failed webhook retried?"],
  },
  {
    id: "support-hours",
    question: "What are your support hours?",
    paraphrases: ["When is your support team available?", "What hours is support available?"],
  },
  {
    id: "trial-length",
    question: "How long is the free trial?",
    paraphrases: ["How many days does the free trial last?", "What is the length of the free trial?"],
  },
  {
    id: "extend-trial",
    question: "Can I extend my free trial?",
    paraphrases: ["Is it possible to extend the free trial?"],
  },
  {
    id: "data-region-eu",
    question: "Can I store my data in the EU region?",
    paraphrases: ["Is it possible to keep my data in the EU region?"],
  },
  {
    id: "data-region-us",
    question: "Can I store my data in the US region?",
    paraphrases: [],
  },
  {
    id: "backup-frequency",
    question: "How often do you back up my data?",
    paraphrases: ["How frequently is my data backed up?"],
  },
  {
    id: "restore-backup",
    question: "How do I restore my data from a backup?",
    paraphrases: ["How can I restore data from a backup?"],
  },
  {
    id: "python-sdk-311",
    question: "Does the SDK support Python 3.11?",
    paraphrases: ["Is Python 3.11 supported by the SDK?"],
  },
  {
    id: "python-sdk-38",
    question: "Does the SDK support Python 3.8?",
    paraphrases: [],
  },
  {
    id: "connect-slack",
    question: "How do I connect the app to Slack?",
    paraphrases: ["How can I integrate the app with Slack?"],
  },
  {
    id: "connect-teams",
    question: "How do I connect the app to Microsoft Teams?",
    paraphrases: [],
  },
  {
    id: "mobile-app",
    question: "Is there a mobile app for Android?",
    paraphrases: ["Do you have an Android mobile app?"],
  },
  {
    id: "mobile-app-ios",
    question: "Is there a mobile app for iOS?",
    paraphrases: [],
  },
  {
    id: "change-timezone",
    question: "How do I change the time zone of my workspace?",
    paraphrases: ["How can I set a different time zone for my workspace?"],
  },
  {
    id: "gdpr-export",
    question: "How do I request a copy of my personal data under GDPR?",
    paraphrases: ["How can I get a copy of my personal data under GDPR?"],
  },
  {
    id: "payment-methods",
    question: "Which payment methods do you accept?",
    paraphrases: ["What payment methods can I use?", "What forms of payment do you accept?"],
  },
  {
    id: "annual-discount",
    question: "Do you offer a discount for annual billing?",
    paraphrases: ["Is there a discount if I pay annually?"],
  },
  {
    id: "no-annual-discount-monthly",
    question: "Do you offer a discount for monthly billing?",
    paraphrases: [],
  },
  {
    id: "seats-10",
    question: "How much does the Team plan cost for 10 users?",
    paraphrases: ["What is the price of the Team plan for 10 users?"],
  },
  {
    id: "seats-25",
    question: "How much does the Team plan cost for 25 users?",
    paraphrases: [],
  },
];

/** Near-miss pairs: the first intent's question is asked before the second, which must not hit it. */
export const nearMisses: Array<[string, string]> = [
  ["enable-2fa", "disable-2fa"],
  ["cancel-subscription", "cant-cancel-subscription"],
  ["refund-order-1042", "refund-order-2087"],
  ["export-csv", "export-pdf"],
  ["migrate-mysql-postgres", "migrate-postgres-mysql"],
  ["upgrade-plan", "downgrade-plan"],
  ["add-team-member", "remove-team-member"],
  ["storage-limit-free", "storage-limit-pro"],
  ["upload-limit-5gb", "upload-limit-50gb"],
  ["delete-account", "recover-deleted-account"],
  ["sso-setup", "sso-setup-azure"],
  ["change-billing-currency", "change-billing-currency-gbp"],
  ["data-region-eu", "data-region-us"],
  ["python-sdk-311", "python-sdk-38"],
  ["connect-slack", "connect-teams"],
  ["mobile-app", "mobile-app-ios"],
  ["annual-discount", "no-annual-discount-monthly"],
  ["seats-10", "seats-25"],
];

/** A seeded random number generator, so every run asks the same questions in the same order. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * The sequence of questions: every intent's first question (shuffled), then repeats, paraphrases and
 * near misses in random (seeded) order. Each item's kind says what a correct cache does with it:
 * a repeat or paraphrase of an intent asked before may hit; a first or a near miss must not.
 */
export function buildWorkload(options: { size?: number; seed?: number } = {}): WorkloadItem[] {
  const size = options.size ?? 400;
  const random = rng(options.seed ?? 7);
  const shuffle = <T>(list: T[]): T[] => {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    return list;
  };
  const secondOfPair = new Set(nearMisses.map(([, b]) => b));
  const firsts = shuffle(
    intents.filter((i) => !secondOfPair.has(i.id)).map((i) => ({ intent: i.id, question: i.question })),
  );
  const pool = intents.flatMap((i) =>
    [i.question, ...i.paraphrases].map((question) => ({ intent: i.id, question })),
  );
  const rest = intents
    .filter((i) => secondOfPair.has(i.id))
    .map((i) => ({ intent: i.id, question: i.question }));
  while (firsts.length + rest.length < size) rest.push(pool[Math.floor(random() * pool.length)]!);
  const sequence = [...firsts, ...shuffle(rest)];

  const partners = new Map<string, string[]>();
  for (const [a, b] of nearMisses) {
    partners.set(a, [...(partners.get(a) ?? []), b]);
    partners.set(b, [...(partners.get(b) ?? []), a]);
  }
  const askedQuestions = new Set<string>();
  const askedIntents = new Set<string>();
  return sequence.map(({ intent, question }) => {
    let kind: WorkloadItem["kind"];
    if (askedQuestions.has(question)) kind = "repeat";
    else if (askedIntents.has(intent)) kind = "paraphrase";
    else if ((partners.get(intent) ?? []).some((p) => askedIntents.has(p))) kind = "near-miss";
    else kind = "first";
    askedQuestions.add(question);
    askedIntents.add(intent);
    return { intent, question, kind };
  });
}
