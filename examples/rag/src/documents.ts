/** One help-center article. `version` goes up with every edit. */
export interface Doc {
  id: string;
  version: number;
  title: string;
  text: string;
}

/** The help center of Inkwell, a fictional note-taking app. */
export const documents: Doc[] = [
  {
    id: "account-password",
    version: 1,
    title: "Reset your password",
    text: "To reset your password, click 'Forgot password' on the sign-in page and enter your email. We send a reset link that works for 30 minutes.",
  },
  {
    id: "account-2fa",
    version: 1,
    title: "Two-factor authentication",
    text: "Turn on two-factor authentication in Settings > Security. Inkwell supports authenticator apps and hardware security keys.",
  },
  {
    id: "account-email",
    version: 1,
    title: "Change your email address",
    text: "Change the email on your account in Settings > Profile. We send a confirmation to the new address before the change takes effect.",
  },
  {
    id: "account-delete",
    version: 1,
    title: "Delete your account",
    text: "Delete your account in Settings > Profile > Danger zone. Your notes are erased after 14 days; until then you can restore the account.",
  },
  {
    id: "account-sso",
    version: 1,
    title: "Single sign-on",
    text: "Teams on the Business plan can sign in with SAML single sign-on through Okta, Azure AD or Google Workspace.",
  },
  {
    id: "billing-plans",
    version: 1,
    title: "Plans and prices",
    text: "Inkwell Free is free for up to 200 notes. Pro costs $8 per month or $80 per year. Business costs $15 per user per month.",
  },
  {
    id: "billing-refund",
    version: 1,
    title: "Refunds",
    text: "We refund yearly Pro subscriptions within 30 days of payment. Monthly payments are not refunded, but you can cancel at any time.",
  },
  {
    id: "billing-invoice",
    version: 1,
    title: "Invoices and receipts",
    text: "Download invoices from Settings > Billing > History. Add your company name and VAT number before the payment to have them on the invoice.",
  },
  {
    id: "billing-cancel",
    version: 1,
    title: "Cancel your subscription",
    text: "Cancel your subscription in Settings > Billing. You keep Pro features until the end of the paid period, then the account becomes Free.",
  },
  {
    id: "billing-payment",
    version: 1,
    title: "Payment methods",
    text: "We accept Visa, Mastercard, American Express and PayPal. Business plans can also pay by bank transfer on yearly invoices.",
  },
  {
    id: "export-pdf",
    version: 1,
    title: "Export notes to PDF",
    text: "To export a note to PDF, open the note, choose File > Export and pick PDF. Export a whole notebook from its menu with Export notebook.",
  },
  {
    id: "export-markdown",
    version: 1,
    title: "Export to Markdown",
    text: "Export any note or notebook as Markdown files from File > Export. Images are saved in an assets folder next to the files.",
  },
  {
    id: "import-evernote",
    version: 1,
    title: "Import from Evernote",
    text: "Import Evernote .enex files with File > Import > Evernote. Tags, attachments and creation dates are kept.",
  },
  {
    id: "import-notion",
    version: 1,
    title: "Import from Notion",
    text: "Export your Notion workspace as Markdown and CSV, then use File > Import > Notion and select the zip file.",
  },
  {
    id: "sync-offline",
    version: 1,
    title: "Working offline",
    text: "Inkwell works offline on desktop and mobile. Edits made offline are saved on the device and synced when you are back online.",
  },
  {
    id: "sync-conflicts",
    version: 1,
    title: "Sync conflicts",
    text: "When the same note is edited on two devices while offline, Inkwell keeps both versions and marks the note as a conflict for you to merge.",
  },
  {
    id: "sync-devices",
    version: 1,
    title: "Device limits",
    text: "Free accounts sync between two devices. Pro and Business accounts sync on any number of devices.",
  },
  {
    id: "share-link",
    version: 1,
    title: "Share a note by link",
    text: "Share a note with a public link from the Share button. Links can be read-only or allow comments, and you can revoke them at any time.",
  },
  {
    id: "share-team",
    version: 1,
    title: "Shared notebooks",
    text: "Business teams can share notebooks with edit or view rights. Changes from teammates appear live.",
  },
  {
    id: "editor-markdown",
    version: 1,
    title: "Markdown shortcuts",
    text: "The editor understands Markdown shortcuts: # for headings, - for lists, [] for checkboxes and ``` for code blocks.",
  },
  {
    id: "editor-tables",
    version: 1,
    title: "Tables",
    text: "Insert a table with /table. Drag column borders to resize, and sort a column from its header menu.",
  },
  {
    id: "editor-templates",
    version: 1,
    title: "Templates",
    text: "Create a note from a template with /template. Save any note as a template from its menu.",
  },
  {
    id: "search-basics",
    version: 1,
    title: "Searching your notes",
    text: "Search all notes with Ctrl+K. Use tag:work to filter by tag and before:2024-01-01 to filter by date.",
  },
  {
    id: "search-ocr",
    version: 1,
    title: "Search text in images",
    text: "Pro and Business plans recognize text in images and scanned PDFs, so search finds words inside pictures.",
  },
  {
    id: "tags-organize",
    version: 1,
    title: "Tags and notebooks",
    text: "Organize notes in notebooks and add tags with #. A note belongs to one notebook but can have many tags.",
  },
  {
    id: "reminders",
    version: 1,
    title: "Reminders",
    text: "Add a reminder to a note from its clock icon. Reminders arrive as push notifications and by email.",
  },
  {
    id: "mobile-widgets",
    version: 1,
    title: "Mobile widgets",
    text: "Add the Inkwell widget to your home screen on iOS and Android to create a quick note or open recent notes.",
  },
  {
    id: "privacy-encryption",
    version: 1,
    title: "Encryption",
    text: "Notes are encrypted in transit with TLS and at rest with AES-256. Pro users can lock single notes with an extra passphrase.",
  },
  {
    id: "privacy-data",
    version: 1,
    title: "Where your data is stored",
    text: "Inkwell stores data in data centers in Frankfurt and Virginia. Business customers can choose the EU region only.",
  },
  {
    id: "support-contact",
    version: 1,
    title: "Contact support",
    text: "Reach support from Help > Contact us. Pro users get an answer within one business day, Business users within four hours.",
  },
];
