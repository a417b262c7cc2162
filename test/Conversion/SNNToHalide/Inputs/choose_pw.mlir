// A sparse 1x1 convolution on 7x7 planes (49 lanes): its kernel rounds the
// lanes and the input planes up to whole vectors.
func.func @pw(%x: tensor<1x16x7x7xf32>) -> tensor<1x16x7x7xf32> {
  %w = arith.constant dense<0.5> : tensor<16x16x1x1xf32>
  %y = "snn.conv2d"(%x, %w) {format = #snn.format<csr>} : (tensor<1x16x7x7xf32>, tensor<16x16x1x1xf32>) -> tensor<1x16x7x7xf32>
  return %y : tensor<1x16x7x7xf32>
}
