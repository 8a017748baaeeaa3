/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_PKGFORGE_H
#define PF_PKGFORGE_H

/* The subcommands; each returns the process exit code (0, 1 or 2). */
int cmd_lint(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_index(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_containerfile(int argc, char **argv);

#endif
