{
  "targets": [
    {
      "target_name": "dreamlake_flock",
      "sources": ["native/flock.c"]
    }
  ]
}
