/*
 * builtin_data.c - the compiled-in reference data (see builtin_data.h).
 *
 * Sources are cited per table; the README repeats them. To update a table,
 * edit it here and its date.
 */
#include "builtin_data.h"

#include <stddef.h>

const char builtin_exo_ranges_date[] = "2026-11";
const char builtin_senders_date[] = "2026-11";

/* Microsoft 365 URLs and IP address ranges, endpoint ID 10
 * (*.mail.protection.outlook.com, TCP 25), worldwide list versions 2022072800
 * and 2023073100; cross-checked against spf.protection.outlook.com as observed
 * 2024-2026, whose ranges all lie inside these. Other Microsoft services
 * (Power Automate, ...) send from other ranges: they are recognised by sender
 * address, not by these ranges. */
const char *const builtin_exo_ranges[] = {
    "40.92.0.0/15", "40.107.0.0/16", "52.100.0.0/14", "104.47.0.0/17", "2a01:111:f400::/48", "2a01:111:f403::/48", NULL,
};

/* Microsoft cloud notification and system senders (2026-11), each with where
 * it is documented. A match says which service a sender claims to be, not
 * that the mail is genuine. */
const struct builtin_sender builtin_senders[] = {
    {"no-reply@teams.mail.microsoft", SENDER_EXACT, "Microsoft Teams (missed activity / system no-reply)",
     "https://learn.microsoft.com/en-us/microsoft-365/admin/email/"
     "select-domain-to-use-for-email-from-microsoft-365-products"},
    {"no-reply@teams.mail.microsoft.com", SENDER_EXACT,
     "Microsoft Teams DLP Generate Incident Report (MC1064354, from 2025-06)",
     "https://admin.microsoft.com/Adminportal/Home#/MessageCenter/:/messages/MC1064354"},
    {"noreply@email.teams.microsoft.com", SENDER_EXACT, "Microsoft Teams notifications",
     "https://learn.microsoft.com/en-us/defender-office-365/anti-phishing-policies-mdo-configure"},
    {"noreply@emeaemail.teams.microsoft.com", SENDER_EXACT, "Microsoft Teams notifications (EMEA)",
     "https://learn.microsoft.com/en-us/defender-office-365/anti-phishing-policies-mdo-configure"},
    {"no-reply@sharepointonline.com", SENDER_EXACT,
     "SharePoint Online / OneDrive notifications (sharing, alerts, digests)",
     "https://learn.microsoft.com/en-us/microsoft-365/admin/email/"
     "select-domain-to-use-for-email-from-microsoft-365-products ; "
     "https://support.microsoft.com/de-de/office/"
     "informationen-zu-%C3%A4nderungen-an-der-adresse-die-zum-senden-von-benachrichtigungs-e-mail-nachrichten-aus-"
     "sharepoint-verwendet-wird-ae01f2a0-acca-499b-ab96-df0e996d367a"},
    {"no-reply@notify.microsoft.com", SENDER_EXACT, "SharePoint/OneDrive sharing one-time passcodes (OTP)",
     "https://learn.microsoft.com/en-us/microsoft-365/admin/email/"
     "select-domain-to-use-for-email-from-microsoft-365-products"},
    {"no-reply@glint.mail.microsoft", SENDER_EXACT, "Microsoft Viva Glint",
     "https://learn.microsoft.com/en-us/microsoft-365/admin/email/"
     "select-domain-to-use-for-email-from-microsoft-365-products"},
    {"noreply@planner.office365.com", SENDER_EXACT, "Microsoft Planner",
     "https://learn.microsoft.com/en-us/defender-office-365/anti-phishing-policies-mdo-configure"},
    {"flow-noreply@microsoft.com", SENDER_EXACT,
     "Power Automate (approvals, flow notifications); IPs in _spf1-meo.microsoft.com; routed via recipient MX",
     "https://learn.microsoft.com/en-us/troubleshoot/power-platform/power-automate/flow-run-issues/"
     "approval-email-delivery-information (KB 4559558)"},
    {"flow-noreply@oe.21vianet.com", SENDER_EXACT, "Power Automate approvals (21Vianet/China)",
     "https://learn.microsoft.com/en-us/troubleshoot/power-platform/power-automate/flow-run-issues/"
     "approval-email-delivery-information (KB 4559558)"},
    {"maccount@microsoft.com", SENDER_EXACT, "Power Automate approvals (China, older version of KB 4559558)",
     "https://learn.microsoft.com/en-us/troubleshoot/power-platform/power-automate/flow-run-issues/"
     "approval-email-delivery-information (older revision;"},
    {"quarantine@messaging.microsoft.com", SENDER_EXACT,
     "EOP / Defender for Office 365 quarantine (end-user spam) notifications (default sender)",
     "https://learn.microsoft.com/en-us/powershell/module/exchange/set-hostedcontentfilterpolicy "
     "(EndUserSpamNotificationCustomFromAddress)"},
    {"azure-noreply@microsoft.com", SENDER_EXACT,
     "Azure / Entra ID notifications (MFA, alerts); partly moved to MSSecurity-noreply in 2023",
     "https://learn.microsoft.com/en-us/entra/fundamentals/whats-new-archive (MFA email notifications; Azure AD emails "
     "moving Oct-Nov 2023)"},
    {"MSSecurity-noreply@microsoft.com", SENDER_EXACT,
     "Microsoft Security / Entra ID (PIM digest, admin consent, Entra Connect accidental-delete, Defender for Cloud)",
     "https://learn.microsoft.com/en-us/entra/fundamentals/whats-new-archive ; "
     "https://learn.microsoft.com/en-us/entra/identity/hybrid/connect/"
     "how-to-connect-sync-feature-prevent-accidental-deletes"},
    {"msonlineservicesteam@microsoftonline.com", SENDER_EXACT,
     "Microsoft Online Services / Entra (MFA fraud alerts, account mails) - abused by spammers 2026-05",
     "https://learn.microsoft.com/en-us/entra/fundamentals/whats-new-archive ; "
     "https://techcrunch.com/2026/05/21/scammers-are-abusing-an-internal-microsoft-account-to-send-spam/"},
    {"msonlineservicesteam@email.microsoftonline.com", SENDER_EXACT,
     "Microsoft Online Services (variant seen in mail filters)", "third-party mail filter config"},
    {"o365mc@microsoft.com", SENDER_EXACT, "Microsoft 365 Message center (weekly digest, major updates)",
     "https://learn.microsoft.com/en-us/answers/questions/4694017/is-o365mc@microsoft-com-a-legitimate-email-address ; "
     "a public message trace sample"},
    {"no-reply-MicrosoftInformationProtectionOnline@microsoft.com", SENDER_EXACT,
     "Microsoft Purview DLP incident reports (old Teams GIR sender, until 2025-06-20)",
     "https://admin.microsoft.com/Adminportal/Home#/MessageCenter/:/messages/MC1064354"},
    {"Office365Alerts@microsoft.com", SENDER_EXACT, "Microsoft 365 alert policies / security & compliance alerts",
     "third-party alert-sender list"},
    {"defender-noreply@microsoft.com", SENDER_EXACT, "Microsoft Defender for Endpoint notifications",
     "third-party mapping"},
    {"microsoft-noreply@microsoft.com", SENDER_EXACT, "Microsoft generic no-reply (service/admin notifications)",
     "third-party Power Automate triage example"},
    {"noreply@yammer.com", SENDER_EXACT, "Yammer / Viva Engage notifications", "third-party mail-filter list"},
    {"azuredevops@microsoft.com", SENDER_EXACT, "Azure DevOps notifications", "third-party mail-filter list"},
    {"account-security-noreply@accountprotection.microsoft.com", SENDER_EXACT,
     "Microsoft account security (consumer MSA) notifications", "third-party mailbox export"},
    {"dmarcreport@microsoft.com", SENDER_EXACT,
     "DMARC aggregate reports from Microsoft (org_name Outlook.com / Enterprise Outlook; Submitter "
     "protection.outlook.com)",
     "third-party DMARC parsers and real report samples"},
    {"^MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@[^@]+$", SENDER_REGEX,
     "Exchange (Online and on-prem) system mailbox: NDRs ('Microsoft Outlook'), journal reports, system messages",
     "real NDR samples"},
    {"^postmaster@[a-z0-9-]+\\.onmicrosoft\\.com$", SENDER_REGEX,
     "Exchange Online default external postmaster (NDR/system) - default accepted domain; changeable via "
     "Set-TransportConfig -ExternalPostmasterAddress",
     "https://www.dalecom.de/exchange-o365-postmaster-adresse-aendern/"},
    {"^no-reply@[a-z0-9-]+\\.mail\\.microsoft$", SENDER_REGEX,
     "Microsoft 365 product no-reply family on the .microsoft TLD (teams.mail.microsoft, glint.mail.microsoft, ...)",
     "pattern inferred from "
     "https://learn.microsoft.com/en-us/microsoft-365/admin/email/"
     "select-domain-to-use-for-email-from-microsoft-365-products"},
    {"^no-reply@[a-z0-9.-]+\\.teams\\.microsoft\\.com$|^noreply@[a-z0-9]*email\\.teams\\.microsoft\\.com$",
     SENDER_REGEX, "Microsoft Teams notification family (.com domains)",
     "pattern inferred from MDO anti-phishing doc + MC1064354"},
    {NULL, SENDER_EXACT, NULL, NULL},
};

/* NDR subjects: Exchange's localised "Undeliverable:" family (English,
 * German, French, Dutch, Spanish, Italian, Portuguese), Gmail's DSN, Postfix's
 * bounce(8) default ("Undelivered Mail Returned to Sender"), Exim's
 * ("Mail delivery failed"), Sendmail's ("Returned mail:"), qmail's
 * ("failure notice"). */
const char *const builtin_ndr_subjects[] = {
    "Undeliverable:",
    "Unzustellbar:",
    "Non remis :",
    "Non remis:",
    "Onbestelbaar:",
    "No se puede entregar:",
    "Non recapitabile:",
    "N\xc3\xa3o_entregue:",
    "N\xc3\xa3o entregue:",
    "Delivery Status Notification (Failure)",
    "Delivery Status Notification (Delay)",
    "Undelivered Mail Returned to Sender",
    "Mail delivery failed",
    "Returned mail:",
    "failure notice",
    "Delivery has failed",
    "Message not delivered",
    NULL,
};

/* Auto-replies of Exchange/Outlook in the same languages, and common
 * generic forms. */
const char *const builtin_autoreply_subjects[] = {
    "Automatic reply:",
    "Automatische Antwort:",
    "R\xc3\xa9ponse automatique :",
    "R\xc3\xa9ponse automatique:",
    "Automatisch antwoord:",
    "Respuesta autom\xc3\xa1tica:",
    "Risposta automatica:",
    "Resposta autom\xc3\xa1tica:",
    "Auto-Reply:",
    "Autoreply:",
    "Out of Office:",
    NULL,
};

/* MAILER-DAEMON (Sendmail, Postfix bounce(8)), postmaster (RFC 5321 4.5.1),
 * and Exchange's system mailbox that signs NDRs "Microsoft Outlook". */
const char *const builtin_ndr_local_parts[] = {
    "MAILER-DAEMON",
    "postmaster",
    "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e",
    NULL,
};

const char *const builtin_machine_local_parts[] = {
    "no-reply", "noreply", "do-not-reply", "donotreply", "notification", "notifications",
    "notify",   "alert",   "alerts",       "mailer",     NULL,
};

/* Any name under the .microsoft TLD and onmicrosoft.com names that are not
 * ours are handled in code (audit.c), not listed here. */
const char *const builtin_microsoft_domains[] = {
    "microsoft.com", "microsoftonline.com", "office.com", "office365.com", "sharepointonline.com", NULL,
};
