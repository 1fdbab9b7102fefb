#!/bin/bash
# The suite can fail: each deliberately broken implementation must be caught,
# on the clause for the rule it breaks, and a hanging one must become a
# timeout FAIL without hanging the suite.  Also: the loader's errors, and
# --expect.
#
# usage: broken_impls_test.sh IPCCONF NO_SYMBOL_SO V1_ONLY_SO BROKEN_SO...
set -u
ipcconf=$1
no_symbol=$2
v1_only=$3
shift 3
declare -A so
for f in "$@"; do
    name=$(basename "$f" .so)
    so[${name#broken_}]=$f
done
out=${TEST_TMPDIR:-$(mktemp -d)}/out.txt
problems=0

problem() {
    echo "PROBLEM: $*"
    problems=$((problems + 1))
}

# expect_fail NAME "MUST-FAIL..." ["MAY-ALSO-FAIL GLOB..."] [ipcconf run options...]
# The run must exit 1 and report FAIL for every MUST-FAIL clause.  With the
# third argument (any word not starting with '-'; "" for none), every clause
# that fails (FAIL or BROKEN) must be a MUST-FAIL clause or match one of the
# globs: a plug-in that breaks one rule must be caught on that rule's clauses,
# not on unrelated ones.  "*" says on purpose that anything may fail (a
# plug-in that breaks the data path itself).  Without it nothing is checked
# beyond MUST-FAIL.
expect_fail() {
    local name=$1 clauses=$2 also=
    local check_subset=0
    shift 2
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
        also=$1
        check_subset=1
        shift
    fi
    echo "=== broken_$name: must fail $clauses${also:+; may also fail $also}"
    "$ipcconf" run --impl "${so[$name]}" "$@" > "$out" 2>&1
    local rc=$?
    cat "$out"
    [ "$rc" -eq 1 ] || problem "broken_$name: exit status $rc, expected 1"
    for c in $clauses; do
        grep -qE "^FAIL +$c " "$out" || problem "broken_$name: clause $c did not FAIL"
    done
    [ "$check_subset" -eq 1 ] || return 0
    local failed f ok g
    failed=$(sed -nE 's/^(FAIL|BROKEN) +([^ ]+) .*/\2/p' "$out")
    for f in $failed; do
        ok=0
        for g in $clauses; do
            [ "$f" = "$g" ] && ok=1
        done
        set -f
        for g in $also; do
            # shellcheck disable=SC2053 # $g is a glob on purpose
            [[ $f == $g ]] && ok=1
        done
        set +f
        [ "$ok" -eq 1 ] || problem "broken_$name: unrelated clause $f failed too (allowed: $clauses $also)"
    done
}

# failed_by_timeout CLAUSE: the last run reported CLAUSE as a FAIL whose
# message is the watchdog's timeout (not merely a word "timeout" somewhere).
failed_by_timeout() {
    awk -v c="$1" '
        $1 == "FAIL" && $2 == c { inblock = 1; next }
        inblock && /^[^ \t]/ { inblock = 0 }
        inblock && /^[ \t]+fail: timeout: the clause did not finish within / { found = 1 }
        END { exit !found }' "$out"
}

expect_fail read_no_consume "pipe.read.consumes fifo.read.consumes_shared_stream" "*" --mechanism pipe,fifo
expect_fail read_eagain_blocking "pipe.read.blocks_until_write fifo.read.blocks_until_write" "*" --mechanism pipe,fifo
expect_fail read_eof_when_empty "pipe.read.blocks_until_write fifo.read.blocks_until_write" "*" --mechanism pipe,fifo
# Every end-of-file clause hangs on this one: a shorter bound keeps it quick.
expect_fail read_no_eof "pipe.read.eof_when_no_writer pipe.read.data_before_eof pipe.read.eof_wakes_blocked_reader pipe.read.eof_needs_all_writers pipe.read.eof_on_writer_killed fifo.read.eof_after_writer_close fifo.read.blocked_reader_woken_by_close" "*" --mechanism pipe,fifo --timeout-mul 0.25
expect_fail fifo_open_nowait "fifo.open.read_blocks_until_writer" "fifo.open.* fifo.io.* fifo.write.epipe_without_reader" --mechanism pipe,fifo
expect_fail fifo_write_open_no_enxio "fifo.open.nonblock_write_enxio fifo.open.nonblock_write_with_reader" "fifo.open.*" --mechanism pipe,fifo
expect_fail write_no_reader_ok "pipe.write.epipe_no_reader pipe.write.sigpipe_kills_writer pipe.write.epipe_wakes_blocked_writer pipe.write.epipe_on_reader_killed fifo.write.epipe_without_reader fifo.write.sigpipe_kills_writer" \
    "pipe.write.epipe_* pipe.write.sigpipe_* pipe.write.partial_then_epipe fifo.write.epipe_* fifo.write.sigpipe_* fifo.close.killed_reader_counts_as_closed" --mechanism pipe,fifo

# "Nap and proceed": asleep for 30 ms, then on without the releasing action.
# The grace period (40 ms at --timeout-mul 1) must outlast the nap: these two
# run unscaled.
expect_fail fifo_open_nap "fifo.open.read_blocks_until_writer" "fifo.open.*" --mechanism pipe,fifo
expect_fail write_full_nap_grow "pipe.write.blocks_when_full" "pipe.write.* fifo.write.*" --mechanism pipe,fifo

# One rule each (pipe_{packet,wake,many,limits}_test.c, fifo_{poll,pipe_rules,errors}_test.c).
expect_fail poll_no_pollhup "fifo.poll.pollhup_after_last_writer pipe.poll.pollhup_no_writer" "pipe.poll.pollhup_*" --mechanism pipe,fifo
expect_fail nread_write_end_zero "pipe.nread.write_end fifo.nread.counts_unread" "" --mechanism pipe,fifo
expect_fail read_write_end_eof "pipe.read.write_end_ebadf fifo.read.write_end_ebadf" "" --mechanism pipe,fifo
expect_fail write_nonblock_partial_small "pipe.write.nonblock_all_or_nothing fifo.write.nonblock_all_or_nothing" \
    "pipe.write.atomic_* fifo.write.atomic_*" --mechanism pipe,fifo
expect_fail read_restarts_eintr "pipe.read.eintr fifo.read.eintr" "" --mechanism pipe,fifo
expect_fail eof_wakes_one "pipe.read.eof_wakes_all_blocked_readers fifo.read.eof_wakes_all_blocked_readers" \
    "pipe.io.many_readers_many_writers pipe.fork.* pipe.read.eof_* fifo.read.* fifo.close.*" --mechanism pipe,fifo
expect_fail sigpipe_lost_when_woken "pipe.write.sigpipe_wakes_blocked_writer" "" --mechanism pipe,fifo
expect_fail write_partial_as_epipe "pipe.write.partial_then_epipe" "" --mechanism pipe,fifo
expect_fail read_repeats "pipe.io.many_readers_many_writers" \
    "pipe.io.* pipe.write.atomic_* pipe.write.large_* fifo.io.* fifo.write.atomic_*" --mechanism pipe,fifo
expect_fail packet_ignored "pipe.packet.reads_one_packet pipe.packet.short_read_discards pipe.packet.large_write_split" "" --mechanism pipe,fifo
# Every pipe in packet mode changes what every read of a pipe returns.
expect_fail create_packet_always "pipe.read.spans_writes" "pipe.*" --mechanism pipe,fifo
expect_fail set_capacity_clamps "pipe.set_capacity.above_max_eperm" "" --mechanism pipe,fifo
expect_fail set_capacity_truncates "pipe.set_capacity.absurd_size_einval" "" --mechanism pipe,fifo
expect_fail fifo_path_errors_enoent "fifo.mkfifo.error_enotdir fifo.mkfifo.error_enametoolong fifo.mkfifo.error_eloop fifo.open.error_enotdir fifo.open.error_enametoolong fifo.open.error_eloop" \
    "fifo.mkfifo.error_* fifo.open.error_*" --mechanism pipe,fifo
expect_fail create_enfile "pipe.create.emfile" "" --mechanism pipe,fifo
expect_fail create_ignores_flags "pipe.create.invalid_flags_einval" "" --mechanism pipe,fifo
expect_fail create_rejects_cloexec "pipe.create.cloexec_accepted" "" --mechanism pipe,fifo

# Signals: each breaks one rule of the signal table (which no other
# mechanism's clauses call).
expect_fail sig_unblock_loses_pending "signal.mask.unblock_delivers signal.count.standard_not_queued" "signal.count.rt_*" --mechanism signal
expect_fail sig_unblock_delivers_twice "signal.mask.unblock_delivers signal.count.standard_not_queued" "" --mechanism signal
expect_fail sig_rt_coalesced "signal.count.rt_queued_each" "signal.count.rt_queue_limit_eagain" --mechanism signal
expect_fail sig_value_lost "signal.count.rt_values_in_order signal.count.queue_to_standard_signal" "" --mechanism signal
# SIGCHLD never caught: each SIGCHLD clause waits for it until its bound.
expect_fail sig_chld_never_caught "signal.child.sigchld_on_exit signal.child.sigchld_on_kill signal.child.sigchld_on_stop signal.child.sigchld_on_continue" "signal.child.*" --mechanism signal
expect_fail sig_pending_empty "signal.mask.blocked_stays_pending signal.fork.child_pending_empty" "" --mechanism signal
# A mask that never changes breaks every rule that blocks a signal.
expect_fail sig_mask_ignored "signal.mask.setmask_returns_old signal.mask.unblock_delivers signal.mask.blocked_stays_pending signal.fork.child_inherits_mask" "signal.*" --mechanism signal
# Handlers' masks matter to the real-time order clauses too: they block the
# other signal in sa_mask to see the order of delivery.
expect_fail sig_handler_unmasked "signal.handler.runs_with_signal_blocked signal.handler.sa_mask_blocked_in_handler" \
    "signal.count.rt_values_in_order signal.count.rt_lowest_first signal.handler.old_action_returned" --mechanism signal
expect_fail sig_suspend_keeps_mask "signal.wait.sigsuspend_returns_eintr_restores_mask" "" --mechanism signal

# System V message queues: each breaks one rule of the msgq table.  Run over
# the msgq mechanism alone (signals and pipes never call it).  Clauses that
# check the same rule as evidence of their own (an IPC_NOWAIT receive that
# finds no message of the type asked for is -ENOMSG) may fail too.
expect_fail msgq_negative_type_highest "msgq.receive.type_negative_lowest_type" "" --mechanism msgq
expect_fail msgq_positive_type_ignored "msgq.receive.type_positive_oldest_of_type msgq.receive.not_woken_by_other_type" \
    "msgq.receive.nowait_enomsg" --mechanism msgq
expect_fail msgq_nowait_eagain "msgq.receive.nowait_enomsg" \
    "msgq.receive.type_negative_lowest_type msgq.receive.copy_by_position" --mechanism msgq
expect_fail msgq_noerror_ignored "msgq.receive.noerror_truncates_removes" "" --mechanism msgq
expect_fail msgq_silent_truncation "msgq.receive.e2big_leaves_message" "" --mechanism msgq
expect_fail msgq_except_ignored "msgq.receive.except_other_type" "" --mechanism msgq
expect_fail msgq_excl_ignored "msgq.get.excl_existing_eexist" "" --mechanism msgq
expect_fail msgq_type_zero_accepted "msgq.send.type_below_one_einval" "" --mechanism msgq
# Waiters never woken by IPC_RMID: both clauses end by their bound.
expect_fail msgq_rmid_no_wake "msgq.receive.rmid_wakes_eidrm msgq.send.rmid_wakes_eidrm" "" --mechanism msgq --timeout-mul 0.25
for c in msgq.receive.rmid_wakes_eidrm msgq.send.rmid_wakes_eidrm; do
    grep -A3 -E "^FAIL +$c " "$out" | grep -q "timeout: .* did not return after the releasing action" ||
        problem "broken_msgq_rmid_no_wake: $c did not FAIL by the woken call's timeout"
done

# POSIX message queues: each breaks one rule of the mq table.  Run over the
# mq mechanism alone (no other mechanism calls it).
# Priorities dropped: the clauses that check a message's priority arrives
# intact fail too.
expect_fail mq_priorities_ignored "mq.receive.highest_priority_first" "mq.io.message_intact mq.io.across_processes_intact" --mechanism mq
expect_fail mq_msgsize_unchecked "mq.receive.short_buffer_emsgsize" "" --mechanism mq
expect_fail mq_curmsgs_zero "mq.getattr.curmsgs_counts mq.setattr.only_nonblock_changes" "" --mechanism mq
expect_fail mq_send_truncates "mq.send.too_long_emsgsize" "" --mechanism mq
expect_fail mq_timedreceive_no_wait "mq.receive.timed_etimedout mq.receive.timed_woken_by_send" "" --mechanism mq
# No notification ever comes: every clause awaiting one ends by its bound; a
# short bound keeps this quick.  mq.notify.sigev_none_registers_silently
# fails at once: its SIGEV_NONE registration does not hold another off.
expect_fail mq_notify_never "mq.notify.signal_on_arrival mq.notify.once_then_unregistered mq.notify.ebusy_other_process mq.notify.sigev_none_registers_silently mq.notify.not_sent_to_blocked_receiver mq.notify.null_removes_registration mq.notify.only_when_queue_was_empty" \
    "" --mechanism mq --timeout-mul 0.25

# Shared memory: each breaks one rule of the shm table.  A private mapping
# breaks every POSIX clause that shares bytes through a mapping; a private
# copy from shmat every System V clause that shares bytes or counts attaches.
expect_fail shm_map_private "shm.posix.write_visible_to_other_process shm.map.shared_inherited_by_fork" \
    "shm.posix.* shm.map.* shm.unlink.mappings_stay_shared shm.truncate.*" --mechanism shm
expect_fail shm_attach_private_copy "shm.sysv.write_visible_to_other_process shm.attach.inherited_by_fork" \
    "shm.sysv.* shm.attach.* shm.detach.* shm.control.* shm.get.size_rounded_up_to_pages" --mechanism shm

# Semaphores: each breaks one rule of the sem table.  A post that does
# nothing or a wait that does not decrement breaks every POSIX clause that
# counts; a wait that naps and proceeds fails the blocking clauses (it is
# seen asleep, but returns without the post).
expect_fail sem_post_noop "sem.posix.wait_blocks_until_post sem.posix.getvalue_counts_posts_and_waits_unnamed" \
    "sem.posix.* sem.named.* sem.mutex.posix_counter_exact" --mechanism sem
expect_fail sem_wait_no_decrement "sem.posix.getvalue_counts_posts_and_waits_unnamed sem.mutex.posix_counter_exact" \
    "sem.posix.* sem.named.*" --mechanism sem
expect_fail sem_wait_nap "sem.posix.wait_blocks_until_post sem.posix.post_wakes_one_waiter" \
    "sem.posix.* sem.named.* sem.mutex.posix_counter_exact" --mechanism sem
expect_fail sem_undo_ignored "sem.op.undo_restores_on_exit sem.op.undo_restores_on_kill" \
    "sem.control.setval_clears_undo" --mechanism sem
# IPC_NOWAIT dropped: the refused calls block instead, and end by the clause's bound.
expect_fail semop_nowait_ignored "sem.op.nowait_eagain sem.op.all_or_nothing_nowait" \
    "sem.control.getpid_last_semop" --mechanism sem

# Sockets: a shutdown that does nothing fails every shutdown clause and no
# other (the close clauses never call shutdown).  The end-of-file clauses
# wait for an end of file that never comes, until their bound.
expect_fail sock_shutdown_noop "socket.shutdown.wr_peer_eof_stream socket.shutdown.wr_peer_eof_seqpacket
    socket.shutdown.wr_send_epipe_stream socket.shutdown.wr_send_epipe_seqpacket
    socket.shutdown.wr_sigpipe_kills_sender socket.shutdown.wr_sigpipe_caught
    socket.shutdown.wr_wakes_blocked_recv_stream socket.shutdown.wr_wakes_blocked_recv_seqpacket
    socket.shutdown.rd_disables_receive_stream socket.shutdown.rd_disables_receive_seqpacket
    socket.shutdown.rd_peer_send_epipe_stream socket.shutdown.rd_peer_send_epipe_seqpacket
    socket.shutdown.rdwr_both_stream socket.shutdown.rdwr_both_seqpacket
    socket.shutdown.unconnected_enotconn_inet socket.shutdown.unconnected_enotconn_inet6
    socket.shutdown.invalid_how_einval" "" --mechanism socket
# Receive flags: a peek that consumes, and MSG_WAITALL dropped.
expect_fail sock_peek_consumes "socket.io.peek_stream_keeps_data socket.io.peek_dgram_stays_whole" "" --mechanism socket
expect_fail sock_waitall_ignored "socket.io.waitall_blocks_until_full" "" --mechanism socket
# A half-duplex socketpair: the pair clauses, and the clauses that check
# both directions still work after a refused call, wait for bytes that
# never come until their bound (halved to keep this quick).
expect_fail sock_pair_one_way "socket.pair.both_directions socket.pair.both_directions_dgram
    socket.pair.both_directions_seqpacket socket.pair.simultaneous_bulk" \
    "socket.errors.recv_oob_dgram_eopnotsupp socket.errors.send_oob_dgram_eopnotsupp
    socket.shutdown.invalid_how_einval" --mechanism socket --timeout-mul 0.5
# AF_UNIX message boundaries lost; clauses that receive queued datagrams
# with room for more than one rely on them too.
expect_fail sock_dgram_merged "socket.boundary.kept_dgram socket.boundary.kept_seqpacket" \
    "socket.io.peek_dgram_stays_whole socket.io.dgram_send_blocks_when_full" --mechanism socket
expect_fail sock_dgram_trunc_whole "socket.boundary.truncate_discards_dgram socket.boundary.truncate_discards_seqpacket
    socket.boundary.recv_trunc_real_length" "" --mechanism socket

# A write that never returns: every clause that writes must become a timeout
# FAIL, and the run must still finish (the Bazel test's own timeout would
# otherwise fire).  A short bound keeps this quick.
expect_fail write_hangs "pipe.io.fifo_order pipe.read.consumes" \
    --clause pipe.io.fifo_order,pipe.read.consumes --timeout-mul 0.25
for c in pipe.io.fifo_order pipe.read.consumes; do
    failed_by_timeout "$c" || problem "broken_write_hangs: $c did not FAIL by the watchdog's timeout"
done

# The loader: clear errors, exit status 2, never a crash.
echo "=== loader errors"
"$ipcconf" run --impl "$no_symbol" > "$out" 2>&1
rc=$?
cat "$out"
[ "$rc" -eq 2 ] || problem "no_symbol.so: exit status $rc, expected 2"
grep -q "does not export the symbol ipcconf_iut_v2" "$out" || problem "no_symbol.so: message does not name the missing symbol"
"$ipcconf" run --impl "$v1_only" > "$out" 2>&1
rc=$?
cat "$out"
[ "$rc" -eq 2 ] || problem "v1_only.so: exit status $rc, expected 2"
grep -q "interface version 1" "$out" || problem "v1_only.so: message does not say it is built for interface version 1"
grep -q "ipcconf_iut_v2" "$out" || problem "v1_only.so: message does not name the symbol ipcconf_iut_v2"
"$ipcconf" run --impl "${so[bad_abi]}" > "$out" 2>&1
rc=$?
cat "$out"
[ "$rc" -eq 2 ] || problem "bad_abi: exit status $rc, expected 2"
grep -q "ABI version mismatch" "$out" || problem "bad_abi: message does not say ABI version mismatch"

# --expect: known failures do not fail the run; a stale entry (XPASS) does.
echo "=== --expect"
expect_file=${TEST_TMPDIR:-/tmp}/expect.txt
printf '# known failures of broken_read_no_consume\npipe.read.consumes  reads never consume\n' > "$expect_file"
"$ipcconf" run --impl "${so[read_no_consume]}" --clause pipe.read.consumes --expect "$expect_file" > "$out" 2>&1
rc=$?
cat "$out"
[ "$rc" -eq 0 ] || problem "--expect: an expected failure gave exit status $rc, expected 0"
grep -qE "^XFAIL +pipe.read.consumes " "$out" || problem "--expect: no XFAIL line"
"$ipcconf" run --impl os --clause pipe.read.consumes --expect "$expect_file" > "$out" 2>&1
rc=$?
cat "$out"
[ "$rc" -eq 1 ] || problem "--expect: an unexpected pass gave exit status $rc, expected 1"
grep -qE "^XPASS +pipe.read.consumes " "$out" || problem "--expect: no XPASS line"

if [ "$problems" -ne 0 ]; then
    echo "$problems problem(s)"
    exit 1
fi
echo "every broken implementation was caught"
