// SPDX-License-Identifier: GPL-2.0-or-later
/* Libraries loaded when first needed (dynlib.h). */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "dynlib.h"
#include "util.h"
#include "banned.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void load(struct pf_dynlib *l)
{
	void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		l->why = pf_strdup(dlerror());
		l->state = -1;
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		*l->slots[i] = dlsym(h, l->names[i]);
		if (!*l->slots[i]) {
			l->why = pf_asprintf("it has no %s", l->names[i]);
			l->state = -1;
			dlclose(h);
			return;
		}
	}
	/* never closed: its functions are called until the process ends */
	__atomic_store_n(&l->state, 1, __ATOMIC_RELEASE);
}

int pf_dynlib_load(struct pf_dynlib *l, struct pf_err *e)
{
	int state = __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);

	if (state == 0) {
		pthread_mutex_lock(&lock);
		if (l->state == 0)
			load(l);
		state = l->state;
		pthread_mutex_unlock(&lock);
	}
	if (state < 0)
		return pf_err_set(e, PF_EFAIL, "cannot load %s: %s", l->soname, l->why);
	return 0;
}

void pf_dynlib_need(struct pf_dynlib *l)
{
	struct pf_err e = PF_ERR_INIT;

	if (pf_dynlib_load(l, &e) == 0)
		return;
	fprintf(stderr, "pkgforge: fatal: %s\n", e.msg.buf);
	exit(1);
}
