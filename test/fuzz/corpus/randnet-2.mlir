func.func @rand2(%input: tensor<1x1x5x5xf32>) -> tensor<1x4xf32> {
  %c2 = arith.constant dense_resource<c1> : tensor<1x1x3x3xf32>
  %cv3 = "snn.conv2d"(%input, %c2) {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x1x5x5xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x5x5xf32>
  %si4 = "snn.sigmoid"(%cv3) : (tensor<1x1x5x5xf32>) -> tensor<1x1x5x5xf32>
  %c6 = arith.constant dense_resource<c5> : tensor<1x1x3x3xf32>
  %m8 = arith.constant dense_resource<m7> : tensor<1x1x3x3xi1>
  %p9 = "snn.mask"(%c6, %m8) : (tensor<1x1x3x3xf32>, tensor<1x1x3x3xi1>) -> tensor<1x1x3x3xf32>
  %c11 = arith.constant dense_resource<c10> : tensor<1xf32>
  %cv12 = "snn.conv2d"(%si4, %p9, %c11) {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x1x5x5xf32>, tensor<1x1x3x3xf32>, tensor<1xf32>) -> tensor<1x1x5x5xf32>
  %re13 = "snn.relu"(%cv12) : (tensor<1x1x5x5xf32>) -> tensor<1x1x5x5xf32>
  %ad14 = "snn.add"(%re13, %si4) : (tensor<1x1x5x5xf32>, tensor<1x1x5x5xf32>) -> tensor<1x1x5x5xf32>
  %pl15 = "snn.avgpool2d"(%ad14) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, count_include_pad = false} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  %fl16 = "snn.flatten"(%pl15) : (tensor<1x1x3x3xf32>) -> tensor<1x9xf32>
  %c18 = arith.constant dense_resource<c17> : tensor<5x9xf32>
  %c20 = arith.constant dense_resource<c19> : tensor<5xf32>
  %d21 = "snn.dense"(%fl16, %c18, %c20) : (tensor<1x9xf32>, tensor<5x9xf32>, tensor<5xf32>) -> tensor<1x5xf32>
  %c23 = arith.constant dense_resource<c22> : tensor<9x5xf32>
  %m25 = arith.constant dense_resource<m24> : tensor<9x5xi1>
  %p26 = "snn.mask"(%c23, %m25) : (tensor<9x5xf32>, tensor<9x5xi1>) -> tensor<9x5xf32>
  %c28 = arith.constant dense_resource<c27> : tensor<9xf32>
  %d29 = "snn.dense"(%d21, %p26, %c28) : (tensor<1x5xf32>, tensor<9x5xf32>, tensor<9xf32>) -> tensor<1x9xf32>
  %dr30 = "snn.dropout"(%d29) {rate = 0.5 : f32} : (tensor<1x9xf32>) -> tensor<1x9xf32>
  %c32 = arith.constant dense_resource<c31> : tensor<4x9xf32>
  %c34 = arith.constant dense_resource<c33> : tensor<4xf32>
  %d35 = "snn.dense"(%dr30, %c32, %c34) : (tensor<1x9xf32>, tensor<4x9xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  %so36 = "snn.softmax"(%d35) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %so36 : tensor<1x4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      c1: "0x04000000E2A89B3EC3DB983E225D97BE70B28DBEAE08653EBF16213E13BDE73D96FA02BE2BA6903D",
      c5: "0x04000000E9D1913DB9BD5D3DEC3569BE6F513DBD535D91BD303E183EFEE5A83EC764993EFD43F13C",
      m7: "0x01000000010001000000010101",
      c10: "0x0400000093E061BD",
      c17: "0x04000000DE361EBE8D679EBE804CA1BEF0B9BFBC09DBF7BDD3D1A3BD16BB853EFBA48C3CCF3B253DC72334BEEA85A2BEFABCEEBDBB0378BEE457DF3BA337AA3E1339EE3DE13159BECE56863E8E964A3EAA04203EB2C88A3E9176333E12CD453E28A1C7BD602CA43E85A99D3E464C67BE6E662D3E58E0123E59C5D2BC5EC8A53C3226DABB6502913E81FC123A1B52623E3171C7BD06AE823E5F6E883EF2ECD4BC46E1383D09798F3E28C3183E324512BC0DE93DBE3D63EFBD",
      c19: "0x04000000825C4C3EEAF8AABE94DDD03E5C6D6DBE1EA0D23E",
      c22: "0x040000007E6B2EBE8272D13ED0DC3C3EBD0D793B590A823CF1AD0A3E9118A13D9F542CBEB7CD85BE8D432E3CCFD1C63E9DCBE13D9974C2BEE3B9923E0AF24E3E03AFBA3E34528DBEE431603E9E10CABE980C0C3E04D14FBEDF637ABE78F4AB3E284FB4BEC4DAA33C4816A23EEBB469BED19584BE4249AE3ECD328DBD97B6463E9060D6BE0022FCBDD24296BE183C1E3E1402BFBE4E2AD03EE95DD9BEA320523E464ADBBE0AC35FBEE77F8F3E85059DBEAED490BEB0632F3E",
      m24: "0x01000000000101000100000101010100010001010000010100000101010100000101000100010100010100010000010101",
      c27: "0x040000006F5CEABDCDE6E9BE7CE1FA3E1079B2BE266EEDBEC6891FBEAE02EC3D5647783ECE15C6BE",
      c31: "0x04000000E941DEBD5F26A0BEF9350CBD9E91353EB8CD233E0F39893E33882E3EFE6D773EAA2E0C3E00A994BC895F3BBEA295DB3DBBCDFABD7BD587BE2A7B0EBD97D67F3EB8447EBE56FC673DCC2792BD57AF213C502573BEEDEB9C3EF47424BEEDD4903DF01E5BBDE682A4BE133E1E3D0E5F75BE114997BE7A369FBEB54F67BE40F189BE616CB83DB46CB43BE905A53EE32E943E",
      c33: "0x040000006932FD3E30F988BEEC8462BD54337FBE"
    }
  }
#-}
