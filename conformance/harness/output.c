#define _GNU_SOURCE
#include "conformance/harness/output.h"

#include <stdio.h>
#include <string.h>

#include "conformance/harness/registry.h"

static void xml_escaped(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\n': fputs("&#10;", f); break;
		default:
			if (c < 0x20 && c != '\t')
				fputc('?', f); /* XML 1.0 cannot carry other control characters */
			else
				fputc(c, f);
		}
	}
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static int close_checked(FILE *f)
{
	int bad = ferror(f);
	return (fclose(f) != 0 || bad) ? -1 : 0;
}

int ipcconf_write_junit(const char *path, const struct ipcconf_run_info *info,
			const struct ipcconf_result *results, size_t n)
{
	FILE *f = fopen(path, "we");
	if (!f)
		return -1;
	size_t failures = 0, errors = 0, skipped = 0;
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		const char *v = ipcconf_verdict(&results[i]);
		if (!strcmp(v, "FAIL") || !strcmp(v, "XPASS"))
			failures++;
		else if (!strcmp(v, "BROKEN"))
			errors++;
		else if (!strcmp(v, "SKIP") || !strcmp(v, "XFAIL"))
			skipped++;
		total += (double)results[i].elapsed_ns / 1e9;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
		n, failures, errors, skipped, total);
	fprintf(f, "  <testsuite name=\"ipcconf.");
	xml_escaped(f, info->impl_name);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
		n, failures, errors, skipped, total);
	fprintf(f, "    <properties>\n      <property name=\"implementation\" value=\"");
	xml_escaped(f, info->impl_description);
	fprintf(f, "\"/>\n      <property name=\"system\" value=\"");
	xml_escaped(f, info->system);
	fprintf(f, "\"/>\n      <property name=\"limits\" value=\"");
	xml_escaped(f, info->limits);
	fprintf(f, "\"/>\n    </properties>\n");
	for (size_t i = 0; i < n; i++) {
		const struct ipcconf_result *r = &results[i];
		char mech[32];
		const char *v = ipcconf_verdict(r);
		fprintf(f, "    <testcase classname=\"%s\" name=\"",
			ipcconf_clause_mechanism(r->clause, mech, sizeof mech));
		xml_escaped(f, r->clause->id);
		fprintf(f, "\" time=\"%.3f\">", (double)r->elapsed_ns / 1e9);
		const char *tag = !strcmp(v, "FAIL") || !strcmp(v, "XPASS") ? "failure"
				  : !strcmp(v, "BROKEN")			 ? "error"
				  : !strcmp(v, "SKIP") || !strcmp(v, "XFAIL")	 ? "skipped"
										 : NULL;
		if (tag) {
			fprintf(f, "\n      <%s message=\"%s: ", tag, v);
			xml_escaped(f, r->clause->title);
			if (r->expected_failure) {
				fputs(" (expected failure: ", f);
				xml_escaped(f, r->expected_failure);
				fputc(')', f);
			}
			fprintf(f, "\">");
			xml_escaped(f, r->detail);
			fprintf(f, "</%s>\n    ", tag);
		}
		fprintf(f, "</testcase>\n");
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	return close_checked(f);
}

int ipcconf_write_json(const char *path, const struct ipcconf_run_info *info,
		       const struct ipcconf_result *results, size_t n)
{
	FILE *f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f, "{\n  \"implementation\": ");
	json_string(f, info->impl_name);
	fprintf(f, ",\n  \"description\": ");
	json_string(f, info->impl_description);
	fprintf(f, ",\n  \"system\": ");
	json_string(f, info->system);
	fprintf(f, ",\n  \"limits\": ");
	json_string(f, info->limits);
	fprintf(f, ",\n  \"timeout_mul\": %g,\n  \"results\": [", info->timeout_mul);
	for (size_t i = 0; i < n; i++) {
		const struct ipcconf_result *r = &results[i];
		char mech[32];
		fprintf(f, "%s\n    {\"id\": ", i ? "," : "");
		json_string(f, r->clause->id);
		fprintf(f, ", \"mechanism\": ");
		json_string(f, ipcconf_clause_mechanism(r->clause, mech, sizeof mech));
		fprintf(f, ", \"title\": ");
		json_string(f, r->clause->title);
		fprintf(f, ", \"cites\": ");
		json_string(f, r->clause->cites);
		fprintf(f, ", \"verdict\": ");
		json_string(f, ipcconf_verdict(r));
		fprintf(f, ", \"expected_failure\": ");
		if (r->expected_failure)
			json_string(f, r->expected_failure);
		else
			fputs("null", f);
		fprintf(f, ", \"time_ms\": %.3f, \"detail\": ", (double)r->elapsed_ns / 1e6);
		json_string(f, r->detail);
		fputc('}', f);
	}
	fprintf(f, "\n  ]\n}\n");
	return close_checked(f);
}
