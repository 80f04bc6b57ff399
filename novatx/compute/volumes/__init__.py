"""
Block storage: the simulated volume service nova leans on.

Volumes, their snapshots and their attachments to servers live in the store
beside the servers; the compute API (C{os-volume_attachments}, the volume
proxies, C{volumes_attached}), the Block Storage API subset and, later, EC2
call the one L{IVolumeAPI} (L{novatx.compute.volumes.api.VolumeAPI}). A
volume moves through cinder's states (C{creating}, C{available},
C{attaching}, C{in-use}, C{detaching}, C{extending}, C{deleting}, C{error})
with the timings of C{[simulated]}, claimed and finished by any worker as
servers' transitions are (L{novatx.compute.volumes.driver}).
"""
