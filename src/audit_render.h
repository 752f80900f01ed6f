/*
 * audit_render.h - writes audit findings and the precheck verdict as text,
 * JSON lines or CSV.
 *
 * NAME
 *   audit_render - the renderers of `mxaudit audit` and `mxaudit precheck`.
 * SUMMARY
 *   One data model (struct audit_result / struct precheck_result), several
 *   renderers; none queries the database. Times are converted from the stored
 *   form to ISO 8601 UTC ("2026-11-27T10:04:05Z") in JSON and CSV. JSON is one
 *   object per line and nothing else. Every value from a log goes through
 *   escape.h: text as ESCAPE_TEXT (control bytes and invalid UTF-8 shown as
 *   \xNN), JSON as ESCAPE_JSON, CSV as ESCAPE_CSV (formulas neutralised).
 *   Renderers return 0, or -1 when writing failed (the caller reports it).
 */
#ifndef MXAUDIT_AUDIT_RENDER_H
#define MXAUDIT_AUDIT_RENDER_H

#include "audit.h"

#include <stdio.h>

int audit_render_text(FILE *out, const struct audit_result *res);
int audit_render_json(FILE *out, const struct audit_result *res);
/* One finding as the JSON object audit_render_json writes per line, without
 * the newline: the report's JSON embeds the same objects. */
void audit_render_finding_json(FILE *out, const struct finding *f);
int audit_render_csv(FILE *out, const struct audit_result *res);

/* 1 for a sending-side finding (attribution_failure, ndr_lost): its host is
 * the relay that logged the attempts, not an original's. */
int finding_is_sending(const struct finding *f);
int precheck_render_text(FILE *out, const struct precheck_result *pre);
/* Why the verdict is what it is, after "safe/not safe to close the back
 * door: ", as the reports word it (no group counts). */
const char *precheck_reason(const struct precheck_result *pre);
/* "Judged on N Exchange Online entries from T1 to T2." into OUT, or "" when
 * there is no verdict to rest on entries (no [gateway], or none in the
 * period: precheck_reason says so). */
void precheck_judged_on(const struct precheck_result *pre, char *out, size_t outlen);
/* What the verdict rests on, for a report's one paragraph: precheck_judged_on,
 * then the partners note when there is one. OUTLEN of 600 holds both. */
void precheck_basis(const struct precheck_result *pre, char *out, size_t outlen);
/* The verdict as a word for programs ("safe", "not_safe", "no_back_door")
 * and as the phrase the reports lead with. */
const char *precheck_verdict(const struct precheck_result *pre);
/* Where partners were learned, when not from the gateway's own logs: a
 * sentence for the verdict's text, or NULL; and as a word for programs
 * ("gateway_logs", "entries", "none"). */
const char *precheck_partners_note(const struct precheck_result *pre);
const char *precheck_partners_from(const struct precheck_result *pre);
const char *precheck_headline(const struct precheck_result *pre);
int precheck_render_json(FILE *out, const struct precheck_result *pre);

/* Stored time text to ISO 8601 UTC in out (TIME_TEXT_MAX bytes); copies
 * the input unchanged when it is not a time. */
void render_time_iso(const char *stored, char *out);

/* Members of a JSON object, for every JSON renderer: *first is 1 before the
 * first member and is cleared by the call. Strings go through escape_json
 * (NULL is null); times are stored-form UTC text, written as ISO 8601 (NULL
 * or "" is null). */
void json_member_key(FILE *out, const char *key, int *first);
void json_member_str(FILE *out, const char *key, const char *value, int *first);
void json_member_num(FILE *out, const char *key, long long value, int *first);
void json_member_bool(FILE *out, const char *key, int value, int *first);
void json_member_time(FILE *out, const char *key, const char *stored, int *first);

#endif
