/*
 * ipc_bench's plot, an SVG written by hand: four log-log panels, round
 * trip p50 and streaming GB/s against the message size, with both ends on
 * two CPUs and on one.  A line per transport through the medians, a
 * whisker from min to max at each point; shared-memory transports solid,
 * kernel-copying ones dashed.  A size a transport cannot carry leaves a
 * gap in its line.
 */
#include <math.h>
#include <string.h>

#include "bench/ipc_results.h"

#define WIDTH 1240
#define HEIGHT 870
#define PLOT_W 430
#define PLOT_H 300
#define LEGEND_X 1060

static const int plot_x[2] = { 90, 600 };
static const int plot_y[2] = { 90, 510 };

/* Distinct enough side by side; black for the last (ck_ring). */
static const char *const colour[IPC_MAX_T] = {
	"#1f77b4", "#6baed6", "#ff7f0e", "#e6a817", "#8c564b", "#7f7f7f", "#9467bd", "#c5b0d5",
	"#d62728", "#2ca02c", "#17becf", "#000000", "#e377c2", "#bcbd22", "#393b79", "#637939",
};

struct panel {
	const char *title;
	enum ipc_cpus cpus;
	int rt; /* round trip p50 (ns), else streaming GB/s */
	int col, row;
	double ylo, yhi; /* log10 of the axis ends */
};

/* The panel's figure for one run's series, in its unit (ns or GB/s). */
static double factor_of(const struct ipc_results *r, const struct panel *p, int s)
{
	return p->rt ? 1 : (double)r->size[s] / 1e9;
}

static const struct ipc_cell *cell_of(const struct ipc_results *r, const struct panel *p, int t,
				      int s)
{
	return p->rt ? &r->rt[p->cpus][t][s][P50] : &r->stream[p->cpus][t][s];
}

/* Whole decades around every figure shown (min and max included). */
static int y_range(const struct ipc_results *r, struct panel *p)
{
	double lo = INFINITY, hi = -INFINITY;

	for (int t = 0; t < r->nt; t++)
		for (int s = 0; s < r->ns; s++) {
			const struct series *v = &cell_of(r, p, t, s)->v;
			double f = factor_of(r, p, s);

			if (v->n == 0)
				continue;
			if (series_min(v) * f > 0)
				lo = fmin(lo, series_min(v) * f);
			hi = fmax(hi, series_max(v) * f);
		}
	if (!(lo <= hi) || hi <= 0)
		return -1;
	p->ylo = floor(log10(lo));
	p->yhi = ceil(log10(hi));
	if (p->yhi <= p->ylo)
		p->yhi = p->ylo + 1;
	return 0;
}

static double x_of(const struct ipc_results *r, const struct panel *p, size_t size)
{
	double lo = log2((double)r->size[0]), hi = log2((double)r->size[r->ns - 1]);
	double frac = hi > lo ? (log2((double)size) - lo) / (hi - lo) : 0.5;

	/* A margin of 4% at either end, so that end points are not on the frame. */
	return plot_x[p->col] + PLOT_W * (0.04 + 0.92 * frac);
}

static double y_of(const struct panel *p, double v)
{
	double frac = (log10(v) - p->ylo) / (p->yhi - p->ylo);

	return plot_y[p->row] + PLOT_H * (1 - frac);
}

static void y_label(char *out, size_t len, const struct panel *p, int decade)
{
	static const char *const time_unit[] = { "ns", "us", "ms", "s" };
	double v = pow(10, decade);

	if (p->rt) {
		int u = decade < 3 ? 0 : decade < 6 ? 1 : decade < 9 ? 2 : 3;
		double shown = v / pow(10, 3 * u);

		snprintf(out, len, "%g %s", shown, time_unit[u]);
	} else {
		snprintf(out, len, "%g", v);
	}
}

static void frame(FILE *f, const struct ipc_results *r, const struct panel *p)
{
	int x0 = plot_x[p->col], y0 = plot_y[p->row];
	char label[32];

	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"title\">%s</text>\n", x0, y0 - 12, p->title);
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"frame\"/>\n", x0, y0,
		PLOT_W, PLOT_H);
	for (int s = 0; s < r->ns; s++) {
		double x = x_of(r, p, r->size[s]);

		ipc_size_name(label, sizeof(label), r->size[s]);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>\n", x, y0,
			x, y0 + PLOT_H);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"xtick\">%s</text>\n", x, y0 + PLOT_H + 16,
			label);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"xtick\">message size</text>\n",
		x0 + PLOT_W / 2, y0 + PLOT_H + 34);
	for (int d = (int)p->ylo; d <= (int)p->yhi; d++) {
		double y = y_of(p, pow(10, d));

		y_label(label, sizeof(label), p, d);
		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>\n", x0, y,
			x0 + PLOT_W, y);
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" class=\"ytick\">%s</text>\n", x0 - 6, y + 4, label);
	}
}

static void series_line(FILE *f, const struct ipc_results *r, const struct panel *p, int t)
{
	const char *style = r->t[t].shm ? "shm" : "kernel";
	int open = 0;

	for (int s = 0; s < r->ns; s++) {
		const struct series *v = &cell_of(r, p, t, s)->v;
		double fac = factor_of(r, p, s);

		if (v->n == 0 || series_min(v) * fac <= 0) {
			if (open)
				fprintf(f, "\"/>\n");
			open = 0; /* a gap: n/a, failed, or not measured */
			continue;
		}
		if (!open)
			fprintf(f, "<polyline class=\"%s\" stroke=\"%s\" points=\"", style, colour[t]);
		open = 1;
		fprintf(f, "%.1f,%.1f ", x_of(r, p, r->size[s]), y_of(p, series_median(v) * fac));
	}
	if (open)
		fprintf(f, "\"/>\n");
	for (int s = 0; s < r->ns; s++) {
		const struct series *v = &cell_of(r, p, t, s)->v;
		double fac = factor_of(r, p, s), x = x_of(r, p, r->size[s]);

		if (v->n == 0 || series_min(v) * fac <= 0)
			continue;
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			   "class=\"whisker\"/>\n",
			x, y_of(p, series_min(v) * fac), x, y_of(p, series_max(v) * fac), colour[t]);
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", x,
			y_of(p, series_median(v) * fac), colour[t]);
	}
}

static void draw_panel(FILE *f, const struct ipc_results *r, struct panel *p)
{
	int measured = p->rt ? r->latency : r->streaming;

	if (p->cpus == CPUS_TWO && !r->two_cpus) {
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"title\">%s: skipped, only one CPU</text>\n",
			plot_x[p->col], plot_y[p->row], p->title);
		return;
	}
	if (!measured || y_range(r, p) < 0) {
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"title\">%s: not measured</text>\n",
			plot_x[p->col], plot_y[p->row], p->title);
		return;
	}
	frame(f, r, p);
	for (int t = 0; t < r->nt; t++)
		series_line(f, r, p, t);
}

static void legend(FILE *f, const struct ipc_results *r)
{
	int y = plot_y[0];

	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"title\">transport</text>\n", LEGEND_X, y - 12);
	for (int t = 0; t < r->nt; t++, y += 22) {
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"%s\" stroke=\"%s\"/>\n",
			LEGEND_X, y, LEGEND_X + 30, y, r->t[t].shm ? "shm" : "kernel", colour[t]);
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"legend\">%s</text>\n", LEGEND_X + 38, y + 4,
			r->t[t].ops->name);
	}
	y += 10;
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"note\">solid: through shared memory</text>\n",
		LEGEND_X, y);
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"note\">dashed: through the kernel</text>\n",
		LEGEND_X, y + 16);
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"note\">gap: size not carried</text>\n", LEGEND_X,
		y + 32);
}

int ipc_report_svg(const struct ipc_results *r, FILE *f)
{
	struct panel panels[4] = {
		{ "round trip p50, two CPUs (lower is better)", CPUS_TWO, 1, 0, 0, 0, 0 },
		{ "round trip p50, one CPU", CPUS_ONE, 1, 1, 0, 0, 0 },
		{ "streaming GB/s, two CPUs (higher is better)", CPUS_TWO, 0, 0, 1, 0, 0 },
		{ "streaming GB/s, one CPU", CPUS_ONE, 0, 1, 1, 0, 0 },
	};

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
		WIDTH, HEIGHT, WIDTH, HEIGHT);
	fprintf(f, "<style>\n"
		   ".title { font-size: 15px; font-weight: bold; }\n"
		   ".xtick { font-size: 11px; text-anchor: middle; }\n"
		   ".ytick { font-size: 11px; text-anchor: end; }\n"
		   ".legend { font-size: 13px; }\n"
		   ".note { font-size: 11px; fill: #444; }\n"
		   ".frame { fill: none; stroke: #333; stroke-width: 1; }\n"
		   ".grid { stroke: #ddd; stroke-width: 1; }\n"
		   ".shm { fill: none; stroke-width: 2.5; }\n"
		   ".kernel { fill: none; stroke-width: 1.5; stroke-dasharray: 6 3; }\n"
		   ".whisker { stroke-width: 1; }\n"
		   "</style>\n");
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"30\" class=\"title\">ipc_bench: the same messages over every "
		   "mechanism; medians of %d runs of %d ms, whiskers min-max</text>\n",
		plot_x[0], r->runs, r->dur_ms);
	fprintf(f, "<text x=\"%d\" y=\"50\" class=\"note\">load average before: %s; after: %s</text>\n",
		plot_x[0], r->load_before, r->load_after);
	for (int i = 0; i < 4; i++)
		draw_panel(f, r, &panels[i]);
	legend(f, r);
	fprintf(f, "</svg>\n");
	fflush(f);
	return ferror(f) ? -1 : 0;
}
