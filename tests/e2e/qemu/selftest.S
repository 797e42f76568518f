/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A multiboot kernel for icount.so's own test (scripts/e2e-backend.sh
 * test): marks, a loop of 2000 instructions, a mark, a loop of 2000000,
 * a mark, then QEMU's isa-debug-exit device (port 0xf4) ends the run.
 */
#define MARK .byte 0x0f, 0x1f, 0x84, 0x00, 0x45, 0x58, 0x44, 0x46

	.section .multiboot, "a"
	.align 4
	.long 0x1badb002
	.long 0
	.long -0x1badb002

	.text
	.globl _start
_start:
	MARK
	mov $1000, %ecx
1:	dec %ecx
	jnz 1b
	MARK
	mov $1000000, %ecx
2:	dec %ecx
	jnz 2b
	MARK
	mov $0, %al
	outb %al, $0xf4
3:	hlt
	jmp 3b
