;; The smallest module: instantiation overhead alone.
(module)
