# driftcheck in a Packer build (an example to copy from): install driftcheck, take the image's signed baseline as
# the last provisioning step, and bring the baseline back as a build artifact. Replace source.amazon-ebs.web with
# your source and put your own provisioners before these four; run from the repository root (the paths are
# relative to it):
#
#   packer build -var image_id=web-2026.11 -var driftcheck_package=dist/driftcheck_0.1.0-1_amd64.deb .
#
# The build key signs baselines only (driftcheck keygen --out build, kept in the CI secret store, never on a host).
# It is uploaded to a tmpfs (/dev/shm), used from /run (tmpfs) and shredded by baseline-step.sh: it is never on the
# image's disk, so it is neither in the image nor in the baseline. Packaging/test-readme.sh runs the same steps in
# a debootstrapped Debian 12 rootfs.

variable "image_id" {
  type        = string
  description = "The image id, stamped into /etc/driftcheck/image-id and recorded in the baseline: FAMILY-VERSION."
}

variable "driftcheck_package" {
  type        = string
  default     = "dist/driftcheck_0.1.0-1_amd64.deb"
  description = "The .deb from Packaging/build-deb.sh, or the static binary dist/driftcheck."
}

variable "build_key" {
  type    = string
  default = "build.key"
}

variable "build_pub" {
  type    = string
  default = "build.pub"
}

variable "driftcheck_policy" {
  type    = string
  default = "Packaging/packer/policy.yaml"
}

locals {
  driftcheck_upload = "/dev/shm/driftcheck"
}

build {
  sources = ["source.amazon-ebs.web"]

  # ... your provisioners: packages, configuration, node_exporter ...

  # A private directory on a tmpfs for the uploads (the SSH user cannot write to /run).
  provisioner "shell" {
    inline = ["install -d -m 0700 ${local.driftcheck_upload}"]
  }

  provisioner "file" {
    sources     = [var.driftcheck_package, var.build_key, var.build_pub, var.driftcheck_policy]
    destination = "${local.driftcheck_upload}/"
  }

  # Install, schedule, stamp the image id, baseline /, shred the build key.
  provisioner "shell" {
    script          = "Packaging/packer/baseline-step.sh"
    execute_command = "chmod +x {{ .Path }}; sudo env {{ .Vars }} {{ .Path }}"
    environment_vars = [
      "IMAGE_ID=${var.image_id}",
      "DRIFTCHECK_PACKAGE=${local.driftcheck_upload}/${basename(var.driftcheck_package)}",
      "BUILD_KEY=${local.driftcheck_upload}/${basename(var.build_key)}",
      "BUILD_PUB=${local.driftcheck_upload}/${basename(var.build_pub)}",
      "POLICY=${local.driftcheck_upload}/${basename(var.driftcheck_policy)}",
    ]
  }

  # The signed baseline, back to the machine running Packer: baselines/IMAGE_ID.jsonl and .sig.
  provisioner "file" {
    direction   = "download"
    sources     = ["/run/driftcheck/${var.image_id}.jsonl", "/run/driftcheck/${var.image_id}.jsonl.sig"]
    destination = "baselines/"
  }
}
