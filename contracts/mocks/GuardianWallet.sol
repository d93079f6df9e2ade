// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/**
 * @title Guardian wallet (test mock)
 * @notice A minimal EIP-1271 contract wallet whose signatures are made by one guardian key, as a
 * guardian signs for a patient who cannot. Used by the tests only; it is not deployed by the product.
 */
contract GuardianWallet is IERC1271 {
    address public immutable guardian;

    constructor(address guardian_) {
        guardian = guardian_;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes memory signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError error,) = ECDSA.tryRecover(hash, signature);
        if (error == ECDSA.RecoverError.NoError && signer == guardian) {
            return IERC1271.isValidSignature.selector;
        }
        return 0xffffffff;
    }
}
