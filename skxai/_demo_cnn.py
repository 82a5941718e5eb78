"""The demo's small CNN, at module level so that copies of it pickle (the sanity checks deep-copy the model)."""

import torch


class ShapesCNN(torch.nn.Module):
    """Three 3x3 convolutions with pooling, global average pooling, one linear layer (CAM-ready)."""

    def __init__(self, n_classes=4):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 16, 3, padding=1)
        self.relu1 = torch.nn.ReLU()
        self.down1 = torch.nn.MaxPool2d(2)
        self.conv2 = torch.nn.Conv2d(16, 32, 3, padding=1)
        self.relu2 = torch.nn.ReLU()
        self.down2 = torch.nn.MaxPool2d(2)
        self.conv3 = torch.nn.Conv2d(32, 32, 3, padding=1)
        self.relu3 = torch.nn.ReLU()
        self.pool = torch.nn.AdaptiveAvgPool2d(1)
        self.flat = torch.nn.Flatten()
        self.fc = torch.nn.Linear(32, n_classes)

    def forward(self, x):
        x = self.down1(self.relu1(self.conv1(x)))
        x = self.down2(self.relu2(self.conv2(x)))
        return self.fc(self.flat(self.pool(self.relu3(self.conv3(x)))))
