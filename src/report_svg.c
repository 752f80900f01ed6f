/*
 * report_svg.c - inline SVG charts of the HTML report (see report.h).
 *
 * Drawn by hand with fixed-point coordinates, so the output is the same on
 * every machine. Every label from a log goes through escape_html; each bar
 * carries a <title> so a reader can hover for the exact numbers.
 */
#include "report.h"

#include "escape.h"

#include <string.h>

#define W 760
#define H 240
#define LEFT 52
#define RIGHT 12
#define TOP 14
#define BOTTOM 40

static void open_svg(FILE *out, int w, int h, const char *label)
{
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
            "aria-label=\"",
            w, h, w, h);
    escape_html(out, label);
    fputs("\">\n", out);
}

/* An axis maximum at or above V with four round steps: 4 times 1, 2, 2.5 or
 * 5 times a power of ten, never a step below MIN_STEP. */
static double nice_max(double v, double min_step)
{
    double step = min_step;
    while (step * 10 <= v / 4)
        step *= 10;
    static const double mult[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++)
        if (4 * step * mult[i] >= v && (mult[i] != 2.5 || step >= 10))
            return 4 * step * mult[i];
    return 40 * step;
}

static void y_axis(FILE *out, double max, const char *suffix)
{
    int plot_h = H - TOP - BOTTOM;
    for (int i = 0; i <= 4; i++) {
        double y = TOP + plot_h - plot_h * i / 4.0;
        fprintf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#d9dde5\" stroke-width=\"1\"/>\n",
                LEFT, y, W - RIGHT, y);
        double v = max * i / 4.0;
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" fill=\"#5a6375\" text-anchor=\"end\">%g%s</text>\n",
                LEFT - 6, y + 4, v, suffix);
    }
}

/* Day labels: every day when few, else about twelve of them. */
static void x_labels(FILE *out, const struct report *rep, double slot)
{
    int n = rep->period.ndays, every = n <= 14 ? 1 : (n + 11) / 12;
    for (int d = 0; d < n; d += every) {
        double x = LEFT + slot * d + slot / 2;
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"#5a6375\" text-anchor=\"middle\">%s</text>\n",
                x, H - BOTTOM + 16, n <= 14 ? rep->days[d].day + 5 : rep->days[d].day + 8);
    }
}

/* Days without any log rows get a grey band: no bar there means no data, not
 * zero. With ENTRIES (a chart of what entered Exchange) so do days on which
 * no Exchange log has rows. */
static void gap_bands(FILE *out, const struct report *rep, double slot, int entries)
{
    for (int d = 0; d < rep->period.ndays; d++) {
        const struct report_day *day = &rep->days[d];
        if (!day->has_rows || (entries && !day->entries_seen))
            fprintf(out,
                    "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#eef0f4\"><title>%s: no %slog "
                    "rows</title></rect>\n",
                    LEFT + slot * d, TOP, slot, H - TOP - BOTTOM, day->day, day->has_rows ? "Exchange " : "");
    }
}

int report_svg_share_per_day(FILE *out, const struct report *rep)
{
    int n = rep->period.ndays, plot_h = H - TOP - BOTTOM;
    double slot = (double)(W - LEFT - RIGHT) / n, top = 0;
    for (int d = 0; d < n; d++)
        if (rep->days[d].inbound) {
            double s = 100.0 * rep->days[d].back_door / rep->days[d].inbound;
            if (s > top)
                top = s;
        }
    double max = top > 50 ? 100 : nice_max(top > 0 ? top : 1, 1);
    open_svg(out, W, H, "Share of inbound messages that came through the back door, per day");
    gap_bands(out, rep, slot, 1);
    y_axis(out, max, "%");
    for (int d = 0; d < n; d++) {
        const struct report_day *day = &rep->days[d];
        if (!day->inbound)
            continue;
        double share = 100.0 * day->back_door / day->inbound;
        double h = plot_h * share / max;
        char pct[16];
        report_share(day->back_door, day->inbound, pct, sizeof pct);
        fprintf(out,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %zu of %zu inbound "
                "messages via the back door (%s)</title></rect>\n",
                LEFT + slot * d + slot * 0.15, TOP + plot_h - h, slot * 0.7, h, day->back_door ? "#b23a48" : "#2f7d4f",
                day->day, day->back_door, day->inbound, pct);
    }
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#1d2433\" stroke-width=\"1\"/>\n", LEFT,
            TOP + plot_h, W - RIGHT, TOP + plot_h);
    x_labels(out, rep, slot);
    fputs("</svg>\n", out);
    return ferror(out) ? -1 : 0;
}

int report_svg_kinds_per_day(FILE *out, const struct report *rep)
{
    int n = rep->period.ndays, plot_h = H - TOP - BOTTOM;
    double slot = (double)(W - LEFT - RIGHT) / n;
    size_t top = 0;
    for (int d = 0; d < n; d++) {
        size_t sum = 0;
        for (int k = 0; k < FINDING_KIND_COUNT; k++)
            sum += rep->days[d].by_kind[k];
        if (sum > top)
            top = sum;
    }
    double max = nice_max(top > 4 ? (double)top : 4, 1);
    open_svg(out, W, H + 22, "Findings per kind per day");
    gap_bands(out, rep, slot, 0);
    y_axis(out, max, "");
    for (int d = 0; d < n; d++) {
        double y = TOP + plot_h;
        for (int k = 0; k < FINDING_KIND_COUNT; k++) {
            size_t c = rep->days[d].by_kind[k];
            if (!c)
                continue;
            double h = plot_h * c / max;
            y -= h;
            fprintf(out,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %zu "
                    "%s</title></rect>\n",
                    LEFT + slot * d + slot * 0.15, y, slot * 0.7, h, report_kind_colour((enum finding_kind)k),
                    rep->days[d].day, c, finding_kind_name((enum finding_kind)k));
        }
    }
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#1d2433\" stroke-width=\"1\"/>\n", LEFT,
            TOP + plot_h, W - RIGHT, TOP + plot_h);
    x_labels(out, rep, slot);
    /* Legend under the axis labels. */
    int x = LEFT;
    for (int k = 0; k < FINDING_KIND_COUNT; k++) {
        const char *name = finding_kind_name((enum finding_kind)k);
        fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>\n", x, H + 4,
                report_kind_colour((enum finding_kind)k));
        fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#1d2433\">%s</text>\n", x + 14, H + 13, name);
        x += 14 + (int)strlen(name) * 6 + 12; /* about 6 px per character at 11 px */
    }
    fputs("</svg>\n", out);
    return ferror(out) ? -1 : 0;
}

int report_svg_top_sources(FILE *out, const struct report *rep)
{
    const struct report_tally_list *l = &rep->sender_domains;
    size_t shown = 0;
    for (size_t i = 0; i < l->n && shown < 8; i++)
        shown += l->items[i].count > 0;
    int row = 26, label_w = 250, h = (int)shown * row + 16;
    if (!shown)
        h = 40;
    open_svg(out, W, h, "Sender domains with the most back-door messages");
    if (!shown)
        fputs(
            "<text x=\"10\" y=\"24\" font-size=\"13\" fill=\"#2f7d4f\">No back-door messages in this period.</text>\n",
            out);
    size_t max = shown ? l->items[0].count : 1;
    for (size_t i = 0; i < shown; i++) {
        const struct report_tally *t = &l->items[i];
        int y = 8 + (int)i * row;
        double w = (double)(W - label_w - 60) * t->count / max;
        fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#1d2433\" text-anchor=\"end\">", label_w - 8,
                y + 14);
        /* Long names are cut so the bars stay aligned; the title keeps them whole. */
        char name[40];
        size_t len = strlen(t->name);
        if (len > 36) {
            size_t cut = 33;
            while (cut > 0 && ((unsigned char)t->name[cut] & 0xC0) == 0x80)
                cut--; /* never split a UTF-8 sequence */
            snprintf(name, sizeof name, "%.*s...", (int)cut, t->name);
        } else {
            snprintf(name, sizeof name, "%s", t->name);
        }
        escape_html(out, name);
        fprintf(out, "</text>\n<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"#24446e\"><title>", label_w,
                y, w < 1 ? 1 : w);
        escape_html(out, t->name);
        fprintf(out, ": %zu message%s</title></rect>\n", t->count, t->count == 1 ? "" : "s");
        fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"#1d2433\">%zu</text>\n",
                label_w + (w < 1 ? 1 : w) + 6, y + 14, t->count);
    }
    fputs("</svg>\n", out);
    return ferror(out) ? -1 : 0;
}
