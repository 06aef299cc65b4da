;; One 64 KiB page of memory and nothing else.
(module
  (memory 1)
)
