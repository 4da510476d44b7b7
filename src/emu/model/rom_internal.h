/* SPDX-License-Identifier: MIT */
/*
 * Private to the ROM model (rom.c, rom_desc.c, rom_flash.c, chips.c,
 * fault.c, layout.c): the static chip description, the parsed memory map,
 * the fault list and the runtime state the three rom*.c files share.
 */
#ifndef STDFU_EMU_ROM_INTERNAL_H
#define STDFU_EMU_ROM_INTERNAL_H

#include "lie.h"
#include "rom.h"

#define EMU_MAX_ALTS 8

/* DFU 1.1 states (§6.1.2) and status codes (§6.1.2, table 6.2). */
enum dfu_state {
	DFU_STATE_APP_IDLE = 0,
	DFU_STATE_APP_DETACH = 1,
	DFU_STATE_IDLE = 2,
	DFU_STATE_DNLOAD_SYNC = 3,
	DFU_STATE_DNBUSY = 4,
	DFU_STATE_DNLOAD_IDLE = 5,
	DFU_STATE_MANIFEST_SYNC = 6,
	DFU_STATE_MANIFEST = 7,
	DFU_STATE_MANIFEST_WAIT_RESET = 8,
	DFU_STATE_UPLOAD_IDLE = 9,
	DFU_STATE_ERROR = 10,
};

enum dfu_status {
	DFU_STATUS_OK = 0,
	DFU_STATUS_ERR_TARGET = 1,
	DFU_STATUS_ERR_FILE = 2,
	DFU_STATUS_ERR_WRITE = 3,
	DFU_STATUS_ERR_ERASE = 4,
	DFU_STATUS_ERR_CHECK_ERASED = 5,
	DFU_STATUS_ERR_PROG = 6,
	DFU_STATUS_ERR_VERIFY = 7,
	DFU_STATUS_ERR_ADDRESS = 8,
	DFU_STATUS_ERR_NOTDONE = 9,
	DFU_STATUS_ERR_FIRMWARE = 10,
	DFU_STATUS_ERR_VENDOR = 11,
	DFU_STATUS_ERR_USBR = 12,
	DFU_STATUS_ERR_POR = 13,
	DFU_STATUS_ERR_UNKNOWN = 14,
	DFU_STATUS_ERR_STALLEDPKT = 15,
};

/* What a write to an alt setting means to the device. */
enum emu_mem_kind {
	EMU_MEM_FLASH,	  /* internal flash: erase to 0xFF, program per chip rules */
	EMU_MEM_OPTBYTES, /* option bytes: a write reprograms them and resets the chip */
	EMU_MEM_OTP,	  /* one-time programmable: bits only go 1 -> 0 */
	EMU_MEM_PLAIN,	  /* device feature etc.: plain storage */
};

/* Flash operation durations for --timing real. */
struct emu_chip_timing {
	uint32_t prog_unit;    /* bytes programmed per operation (4, 8 or 32) */
	uint32_t prog_unit_ns; /* time to program one unit */
	/* Sector/page erase time by sector size: first entry whose size >= the sector's. */
	struct {
		uint32_t size;
		uint64_t ns;
	} erase[4];
	uint64_t mass_erase_ns;
	/* bwPollTimeout (ms) reported with dfuDNBUSY. */
	uint32_t poll_write_ms;
	uint32_t poll_erase_ms;
	uint32_t poll_mass_erase_ms;
	uint32_t poll_set_address_ms;
	uint32_t poll_leave_ms; /* EMU_LEAVE_BUSY_MANIFEST: the dfuDNBUSY of the leave */
	uint64_t leave_busy_ns; /* ... and how long the ROM is busy before dfuMANIFEST */
	uint32_t bus_ns_per_byte;
	enum emu_busy_policy busy;
};

/* What the ROM does with the GETSTATUS that follows the leave's zero-length DNLOAD. */
enum emu_leave_style {
	/* F4: dfuDNBUSY (poll_leave_ms), then dfuMANIFEST on the next GETSTATUS,
	 * and off the bus once that answer is sent (usbd_dfu.c leaves on the
	 * EP0 TxSent of the dfuMANIFEST status). */
	EMU_LEAVE_BUSY_MANIFEST,
	/* H7/G0/U5: gone before answering; how the host sees it: leave_fail. */
	EMU_LEAVE_GETSTATUS_FAILS,
	/* H563: the ROM locks up: the GETSTATUS is never answered, the device
	 * stays on the bus and answers nothing until a power cycle. */
	EMU_LEAVE_LOCKS_UP,
};

/* ROM quirks, each cited in chips.c where it is set. */
struct emu_chip_quirks {
	bool detach_stalls;	      /* DFU_DETACH in DFU mode is stalled (F722) */
	uint16_t xfer_works_max;      /* data DNLOADs longer than this fail (L43x: 1024) */
	uint16_t write_only;	      /* data DNLOADs must be exactly this long (G4: 1024) */
	bool leave_needs_set_address; /* the leave fails unless Set Address came just before (C0) */
	bool empty_check;	      /* boot selection latched at power-on from an empty flash */
	const char *const_serial;     /* the ROM reports this instead of a UID-derived serial */
};

struct emu_chip_alt {
	const char *layout; /* iInterface string, e.g. "@Internal Flash  /0x08000000/..." */
	enum emu_mem_kind kind;
};

struct emu_chip {
	const char *name;
	const char *description;
	uint16_t id_vendor, id_product, bcd_device;
	const char *manufacturer, *product;
	uint8_t cfg_attributes, cfg_max_power; /* configuration bmAttributes, bMaxPower (2 mA) */
	/* DFU functional descriptor */
	uint8_t dfu_attributes;
	uint16_t detach_timeout, transfer_size, bcd_dfu;
	unsigned n_alts;
	struct emu_chip_alt alt[EMU_MAX_ALTS];
	uint32_t flash_base, flash_size;
	struct {
		uint32_t base, size;
	} sram[3];	   /* where an initial SP is plausible (size 0 = unused) */
	uint32_t ecc_unit; /* 0: no ECC (program ANDs bits); else bytes per ECC word */
	/* F0/F1/F3: the program-once unit (half-word) is checked by its value, not
	 * by hidden ECC state: PGERR only if it does not read 0xFFFF, and 0x0000
	 * may always be programmed (RM0091 3.2.2, RM0316 4.2.3). */
	bool unit_by_value;
	/*
	 * H7: ECC flash words, but no check before programming one. RM0433
	 * 4.7 lists no programming error for a word that is not virgin (PGSERR:
	 * PG not set, STRBERR: a byte written twice into the write buffer,
	 * INCERR: a word not written whole, OPERR: cycling or an interrupted
	 * operation); 4.3.9: overwriting a non-virgin word "may lead to an
	 * inconsistent ECC code", reported at read time (SNECCERR/DBECCERR). The same text is in
	 * RM0399 (H745/H747) 4.3.9, 4.7: one flash design.
	 */
	bool unchecked_program;
	/* Option bytes: initial content (RDP level 0) and where the RDP byte sits. */
	const uint8_t *ob_default;
	uint32_t ob_size;
	uint32_t ob_rdp_offset;
	uint8_t ob_rdp_level0; /* RDP byte value meaning level 0 (0xAA) */
	uint8_t ob_rdp_level1; /* value written for --rdp 1 */
	struct emu_chip_timing timing;
	uint16_t bcd_usb;
	enum emu_leave_style leave;
	enum emu_leave_fail leave_fail; /* EMU_LEAVE_GETSTATUS_FAILS: the default outcome */
	unsigned rom_back_ms;		/* off the bus -> ROM seen again (--timing real) */
	unsigned app_back_ms;		/* off the bus -> application seen (--timing real) */
	struct emu_chip_quirks q;
};

/* One erase unit (sector/page) or contiguous segment of an alt's memory map. */
struct emu_sector {
	uint32_t start;
	uint32_t size;
	uint8_t type;	  /* layout letter & 7: bit0 read, bit1 erase, bit2 write */
	uint32_t backing; /* offset into the alt's backing store */
};

struct emu_memmap {
	struct emu_sector *sec;
	unsigned n;
	uint32_t total; /* bytes of backing store */
};

/* Parse a trusted layout string of our own chip table. 0 on success. */
int emu_layout_parse(const char *layout, struct emu_memmap *map);

/* ---- faults (fault.c) ---- */

enum emu_fault_action {
	EMU_FAULT_STALL,
	EMU_FAULT_DISCONNECT,
	EMU_FAULT_STATUS,
	EMU_FAULT_TIMEOUT, /* the request is never answered */
	EMU_FAULT_STATE,   /* the device goes to (and says) bState N */
};

/* Request classes a fault can match; a request can belong to several. */
enum emu_fault_match {
	EMU_MATCH_ANY = 1u << 0,
	EMU_MATCH_DNLOAD = 1u << 1,
	EMU_MATCH_DNLOAD_DATA = 1u << 2,
	EMU_MATCH_SET_ADDRESS = 1u << 3,
	EMU_MATCH_ERASE = 1u << 4,
	EMU_MATCH_MASS_ERASE = 1u << 5,
	EMU_MATCH_LEAVE = 1u << 6,
	EMU_MATCH_UPLOAD = 1u << 7,
	EMU_MATCH_GETSTATUS = 1u << 8,
	EMU_MATCH_CLRSTATUS = 1u << 9,
	EMU_MATCH_ABORT = 1u << 10,
};

struct emu_fault {
	enum emu_fault_action action;
	uint8_t status; /* EMU_FAULT_STATUS */
	uint8_t state;	/* EMU_FAULT_STATE */
	unsigned match; /* one EMU_MATCH_* bit */
	unsigned long n;
	unsigned long seen;
	bool fired;
};

struct emu_faults {
	struct emu_fault *f;
	unsigned n;
	bool quirk_h7_stuck_busy;
	bool quirk_short_poll;
	enum emu_leave_fail leave_fail; /* leave=NAME; EMU_LEAVE_FAIL_DEFAULT if none */
};

int emu_fault_parse(const char *spec, struct emu_faults *out, char *err, size_t errlen);
void emu_fault_free(struct emu_faults *faults);
/* Count a request of classes @match; return the fault that fires now, or NULL. */
struct emu_fault *emu_fault_check(struct emu_faults *faults, unsigned match);
const char *emu_dfu_status_name(unsigned status);

/* ---- the ROM model's runtime state (rom.c, rom_desc.c, rom_flash.c) ---- */

/* DfuSe command bytes (AN3156 §4-5) */
#define DFUSE_GET_COMMANDS   0x00
#define DFUSE_SET_ADDRESS    0x21
#define DFUSE_ERASE	     0x41
#define DFUSE_READ_UNPROTECT 0x92

enum cmd_kind {
	CMD_NONE,
	CMD_DATA,
	CMD_SET_ADDRESS,
	CMD_ERASE,
	CMD_MASS_ERASE,
	CMD_READ_UNPROTECT,
	CMD_LEAVE,
};

struct emu_rom {
	const struct emu_chip *chip;
	enum emu_timing timing;
	char serial[32];
	char app_serial[32];
	uint8_t uid[EMU_UID_LEN]; /* uid.c */

	struct emu_memmap map[EMU_MAX_ALTS];
	uint8_t *store[EMU_MAX_ALTS]; /* backing store of each alt (flash alts: flash) */
	uint8_t *flash;
	uint8_t *ecc_used; /* per ECC word: enum ecc_word_state */
	uint8_t *ob;	   /* option-byte store, or NULL */
	int rdp;

	/* USB device state */
	uint8_t config;
	uint8_t alt;

	/* DFU state */
	uint8_t state;
	uint8_t status;
	uint32_t addr_ptr;
	struct {
		enum cmd_kind kind;
		uint16_t block;
		uint16_t len;
		uint32_t arg;	/* address of Set Address / Erase */
		uint8_t forced; /* fault-injected status, 0 = none */
		bool oversize;	/* longer than the chip really handles (L43x) */
		bool done;	/* executed; result below is for the next GETSTATUS */
		uint8_t result; /* DFU status of the execution */
	} cmd;
	uint8_t *buf; /* wTransferSize bytes: the pending data block */
	bool busy;
	bool stuck; /* H7 quirk: an erase that never completes */
	uint64_t busy_until;
	unsigned quirk_clr;    /* CLRSTATUS count while stuck */
	bool locked;	       /* EMU_LEAVE_LOCKS_UP happened: nothing is answered */
	bool set_address_last; /* the last command executed was Set Address (C0 leave) */
	bool powered;	       /* emu_rom_reset ran once: power-on happened */
	bool empty_at_por;     /* empty_check: the flash was blank at power-on */

	struct emu_faults faults;
	struct emu_lies lies;
	struct emu_stats stats;
};

static inline bool rom_real(const struct emu_rom *rom)
{
	return rom->timing == EMU_TIMING_REAL;
}

static inline const struct emu_chip_timing *rom_tm(const struct emu_rom *rom)
{
	return &rom->chip->timing;
}

/* What an ECC word holds since its last erase (rom->ecc_used). */
enum ecc_word_state {
	ECC_ERASED = 0,	  /* data and ECC cells all 1: programmable */
	ECC_PROGRAMMED,	  /* data and their ECC, whatever the value (0xFF too) */
	ECC_INCONSISTENT, /* H7: programmed twice; a read is a double ECC error */
};

/* True if a read of [addr, addr+len) of the flash meets an inconsistent ECC word. */
bool rom_ecc_fault_at(const struct emu_rom *rom, uint64_t addr, uint32_t len);

/* What executing a DfuSe command or data block did (rom_flash.c -> rom.c). */
struct rom_exec_result {
	uint8_t status;
	uint64_t dur_ns;
	uint32_t poll_ms;
	enum emu_event event;
};

/* One control transfer being handled. */
struct rom_req {
	const struct emu_setup *s;
	uint8_t *data;
	size_t cap;
	uint64_t t; /* time the request is processed (after any blocking) */
	struct emu_reply *reply;
	uint8_t forced; /* status= fault firing on this request */
	int state;	/* state= fault firing on this request, -1 = none */
};

/* rom.c: the request stalls (the DFU state is not touched). */
void rom_stall(struct rom_req *q);

/* uid.c */
/* The board's UID and, unless @keep_serial (--board I:serial=), the
 * iSerialNumber the ROM derives from it. */
void rom_uid_init(struct emu_rom *rom, unsigned board, bool keep_serial);
/* An UPLOAD at @addr on a ROM that reads the UID by address: the bytes of it
 * copied to @dst (0: not the UID, or the ROM refuses). */
uint32_t rom_uid_read(const struct emu_rom *rom, uint64_t addr, uint8_t *dst, uint32_t len);
/* Set Address at @addr, in the UID, is accepted (outside the alts). */
bool rom_uid_set_address_ok(const struct emu_rom *rom, uint32_t addr);

/* rom_desc.c */
/* USB 2.0 §9.4 standard requests: descriptors, configuration, alt setting. */
void rom_handle_standard(struct emu_rom *rom, struct rom_req *q);

/* rom_flash.c */
/* Parse alt @alt's layout and give it its backing store; 0 on success. */
int rom_setup_alt(struct emu_rom *rom, unsigned alt, char *err, size_t errlen);
/* Set the read-protection level and the RDP option byte to match. */
void rom_set_rdp(struct emu_rom *rom, int level);
/* True if a plausible vector table (initial SP, Thumb reset vector) sits at @addr. */
bool rom_plausible_at(const struct emu_rom *rom, uint32_t addr);
/* Copy up to @len readable bytes of @alt from @addr; returns the bytes copied. */
uint32_t rom_read_mem(struct emu_rom *rom, unsigned alt, uint64_t addr, uint8_t *dst, uint32_t len);
/* The DfuSe command of a wBlockNum 0 DNLOAD; CMD_NONE if unsupported. */
enum cmd_kind rom_decode_command(const uint8_t *d, uint16_t len, uint32_t *arg);
/* Execute the pending command (on the GETSTATUS that answers dfuDNBUSY). */
void rom_execute(struct emu_rom *rom, struct rom_exec_result *r);

#endif
