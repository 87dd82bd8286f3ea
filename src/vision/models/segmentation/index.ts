// torchvision.models.segmentation (v0.14): FCN, DeepLabV3 and LR-ASPP; each returns { out } (and aux with aux_loss).

// [fcn]

// [deeplabv3]

// [lraspp]
export {};
