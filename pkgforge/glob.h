/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PF_GLOB_H
#define PF_GLOB_H

#include <stdbool.h>

/*
 * Path patterns for file selection: components are matched one by one
 * with fnmatch(3) rules ('*', '?', '[...]', never crossing '/'); a
 * component of two stars matches any number of components, including
 * none, so "share/doc/" followed by two stars matches share/doc and
 * everything below it.
 */
bool pf_glob_match(const char *pattern, const char *path);

#endif
