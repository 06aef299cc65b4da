;; Seventeen pages of memory and one active data segment, a few hundred bytes long,
;; placed in the last page.
(module
  (memory 17)
  (data (i32.const 1048576)
    "WebAssembly instantiation copies each active data segment into memory. "
    "This segment is one contiguous run of bytes at the start of the seventeenth page, "
    "so its cost is one bounds check and one copy; the other sixteen pages stay zero. "
    "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\f0\f1\f2\f3\f4\f5\f6\f7\f8\f9\fa\fb\fc\fd\fe\ff")
)
