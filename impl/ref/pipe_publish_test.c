/*
 * ref_pipe_publish() and ref_pipe_attach() (pipe.h): a pipe's region,
 * published under a name, is attached from that name alone, as a process
 * that received it over a socket would, and the name is gone afterwards.
 */
#define _GNU_SOURCE
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "impl/ref/handles.h"
#include "impl/ref/pipe.h"
#include "impl/ref/ref_iut.h"

static bool shm_exists(const char *name)
{
	char path[REF_PIPE_NAME_MAX + 16];
	struct stat st;

	snprintf(path, sizeof(path), "/dev/shm%s", name);
	return stat(path, &st) == 0 && (st.st_mode & 07777) == 0600;
}

static void test_publish_then_attach(void)
{
	const struct ipcconf_iut *iut = ipcconf_ref_iut();
	char name[REF_PIPE_NAME_MAX], buf[8];
	struct ref_ofd *wr, *rd = NULL;
	struct ref_obj *attached = NULL;
	int e[2], h;

	CU_ASSERT_FATAL(iut->pipe->create(iut, e, 0) == 0);
	wr = ref_handle_get(e[1]);
	CU_ASSERT_FATAL(wr != NULL);
	CU_ASSERT_EQUAL_FATAL(ref_pipe_publish(wr->obj, "/ipcconf-ref-test-", name), 0);
	ref_handle_put(wr);
	CU_ASSERT(shm_exists(name));

	CU_ASSERT_EQUAL_FATAL(ref_pipe_attach(name, &attached), 0);
	CU_ASSERT_FALSE(shm_exists(name)); /* attaching takes the name away */
	ref_lock();
	CU_ASSERT_EQUAL_FATAL(ref_ofd_new_locked(attached, 0, O_RDONLY, false, &rd), 0);
	h = ref_handle_install_locked(rd);
	ref_unlock();
	CU_ASSERT_FATAL(h >= 0);

	CU_ASSERT_EQUAL(iut->stream->write(iut, e[1], "hi", 2), 2);
	CU_ASSERT_EQUAL(iut->stream->read(iut, h, buf, sizeof(buf)), 2);
	/* The attached reader counts: with the first reader gone, the writer still has one. */
	CU_ASSERT_EQUAL(iut->handle->close(iut, e[0]), 0);
	CU_ASSERT_EQUAL(iut->stream->write(iut, e[1], "x", 1), 1);
	CU_ASSERT_EQUAL(iut->handle->close(iut, e[1]), 0);
	CU_ASSERT_EQUAL(iut->stream->read(iut, h, buf, sizeof(buf)), 1);
	CU_ASSERT_EQUAL(iut->stream->read(iut, h, buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(iut->handle->close(iut, h), 0);
}

static void test_attach_refuses_foreign_names(void)
{
	struct ref_obj *obj;

	CU_ASSERT_EQUAL(ref_pipe_attach("/etc/passwd", &obj), -EINVAL);
	CU_ASSERT_EQUAL(ref_pipe_attach("/ipcconf-ref-a/b", &obj), -EINVAL);
	CU_ASSERT_EQUAL(ref_pipe_attach("/ipcconf-ref-no-such-pipe", &obj), -ENOENT);
}

int main(void)
{
	CU_pSuite suite;
	unsigned failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	suite = CU_add_suite("pipe publish", NULL, NULL);
	CU_add_test(suite, "publish, then attach by name", test_publish_then_attach);
	CU_add_test(suite, "attach refuses foreign names", test_attach_refuses_foreign_names);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures == 0 && CU_get_error() == CUE_SUCCESS ? 0 : 1;
}
