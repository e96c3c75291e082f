{
  "targets": [
    {
      "target_name": "vae_native",
      "sources": ["native/vae_native.cc"],
      "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
      "cflags_cc": ["-O3", "-march=native", "-fno-trapping-math", "-fno-math-errno"],
      "libraries": ["-lopenblas"]
    }
  ]
}
