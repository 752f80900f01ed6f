/*
 * cmd_report.h - the command `mxaudit report`: compliance reports per period.
 */
#ifndef MXAUDIT_CMD_REPORT_H
#define MXAUDIT_CMD_REPORT_H

#include "cli.h"

int cmd_report(const struct global_options *g, int argc, char **argv);

#endif
